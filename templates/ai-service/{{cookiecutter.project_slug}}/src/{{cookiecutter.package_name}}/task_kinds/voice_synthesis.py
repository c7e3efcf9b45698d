"""The task: a speech script for voice synthesis (SSML for a text-to-speech engine).

The service writes what the voice will say; the speech engine renders it. Everything
specific to the task lives here: the prompt and its version, how a raw model answer is
checked (it must be well-formed SSML), the fake provider's deterministic answer and the
evaluation metric.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .errors import MalformedOutput
from .text import contains_all, sentences

TASK_TYPE = "voice_synthesis"
PROMPT_VERSION = "voice_synthesis-v1"

METRIC = "keyword_recall"
"""An output is correct when it is well-formed SSML containing every ``must_include`` term
of the golden example (the facts the caller must hear)."""

SYSTEM_PROMPT = (
    "Turn the message into an SSML script for a phone voice: a <speak> root, one <s> element "
    "per sentence, short sentences, numbers kept exactly. Answer with the SSML only."
)


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider for one input."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


def parse_output(raw: str) -> str:
    """Check a raw model answer: well-formed XML whose root element is ``<speak>``."""
    ssml = raw.strip().removeprefix("```xml").removeprefix("```").removesuffix("```").strip()
    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError as error:
        raise MalformedOutput(f"not well-formed SSML: {error}") from None
    if root.tag != "speak":
        raise MalformedOutput(f"the root element is <{root.tag}>, not <speak>")
    return ssml


def fake_output(text: str) -> str:
    """The fake provider's answer: one ``<s>`` per sentence of the message, escaped."""
    body = "".join(f"<s>{escape(sentence)}</s>" for sentence in sentences(text))
    return f"<speak>{body}</speak>"


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return contains_all(output, example["must_include"])
