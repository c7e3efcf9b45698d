"""The task: code generation assistance (a Python function from a description).

Generated code is a suggestion for a developer, never deployed unsupervised. Everything
specific to the task lives here: the prompt and its version, how a raw model answer is
checked (it must parse as Python), the fake provider's deterministic answer and the
evaluation metric.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

import ast
import re

from .errors import MalformedOutput
from .text import contains_all

TASK_TYPE = "code_generation"
PROMPT_VERSION = "code_generation-v1"

METRIC = "keyword_recall"
"""An output is correct when it parses as Python and contains every ``must_include`` term
of the golden example (the function signature asked for)."""

SYSTEM_PROMPT = (
    "Write the Python function the developer asks for. Answer with the code only: one "
    "function with type hints and a docstring, no explanations, no Markdown fences."
)

_SIGNATURE = re.compile(r"`?(\w+)\((.*?)\)`?")


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider for one input."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


def parse_output(raw: str) -> str:
    """Check a raw model answer: Python source (Markdown fences removed) that parses."""
    code = raw.strip().removeprefix("```python").removeprefix("```").removesuffix("```").strip()
    if not code:
        raise MalformedOutput("empty answer")
    try:
        ast.parse(code)
    except SyntaxError as error:
        raise MalformedOutput(f"not valid Python: {error.msg} (line {error.lineno})") from None
    return code + "\n"


def fake_output(text: str) -> str:
    """The fake provider's answer: a stub with the signature named in the request."""
    match = _SIGNATURE.search(text)
    name, parameters = (match.group(1), match.group(2)) if match else ("solution", "")
    description = text.strip().splitlines()[0][:70].replace('"', "'").replace("\\", "/")
    return f'def {name}({parameters}):\n    """{description}"""\n    raise NotImplementedError\n'


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return contains_all(output, example["must_include"])
