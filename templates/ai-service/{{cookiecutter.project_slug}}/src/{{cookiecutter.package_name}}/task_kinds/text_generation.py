"""The task: text generation (a reply to a customer message).

Everything specific to the task lives here: the prompt and its version, how a raw model
answer is checked, the fake provider's deterministic answer and the evaluation metric.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

from .errors import MalformedOutput
from .text import contains_all, first_sentence

TASK_TYPE = "text_generation"
PROMPT_VERSION = "text_generation-v1"

METRIC = "keyword_recall"
"""An output is correct when it contains every ``must_include`` term of the golden example."""

SYSTEM_PROMPT = (
    "You write short, polite replies to customer messages. Restate the customer's concern "
    "in one sentence, then say what happens next. Plain text, at most 80 words."
)


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider for one input."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


def parse_output(raw: str) -> str:
    """Check a raw model answer and return the output to deliver."""
    output = raw.strip()
    if not output:
        raise MalformedOutput("empty answer")
    return output


def fake_output(text: str) -> str:
    """The fake provider's answer: quotes the message's first sentence back in a reply."""
    return (
        f'Thank you for your message. You wrote: "{first_sentence(text)}" '
        "We are looking into it and will get back to you within one working day."
    )


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return contains_all(output, example["must_include"])
