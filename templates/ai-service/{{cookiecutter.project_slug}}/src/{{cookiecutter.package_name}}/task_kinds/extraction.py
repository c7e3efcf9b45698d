"""The task: extraction (contact email, date and amount from an invoice message).

Everything specific to the task lives here: the fields, the prompt and its version, how a
raw model answer is checked, the fake provider's deterministic answer and the evaluation
metric.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

import json
import re

from .errors import MalformedOutput

TASK_TYPE = "extraction"
PROMPT_VERSION = "extraction-v1"

METRIC = "exact_match"
"""An output is correct when its fields equal the golden example's ``expected`` object."""

FIELDS = ("email", "date", "amount")

SYSTEM_PROMPT = (
    "Extract these fields from the message and answer with one JSON object only: "
    '"email" (the sender\'s email address), "date" (the invoice date as YYYY-MM-DD) and '
    '"amount" (the total as a string with two decimals, no currency sign). '
    "Use null for a field that is not in the message."
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_AMOUNT = re.compile(
    r"(?:€|\$|£|EUR|USD|GBP)\s?(\d+(?:[.,]\d{1,2})?)|(\d+(?:[.,]\d{1,2})?)\s?(?:€|EUR|USD|GBP)"
)


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider for one input."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


def parse_output(raw: str) -> str:
    """Check a raw model answer: a JSON object with exactly ``FIELDS`` (strings or null).

    Returns the object re-serialised canonically, so equal answers compare equal.
    """
    text = raw.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedOutput(f"not JSON: {error.msg}") from None
    if not isinstance(value, dict) or set(value) != set(FIELDS):
        raise MalformedOutput(f"expected a JSON object with the keys {', '.join(FIELDS)}")
    if not all(item is None or isinstance(item, str) for item in value.values()):
        raise MalformedOutput("every field must be a string or null")
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def fake_output(text: str) -> str:
    """The fake provider's answer: regular expressions for an email, an ISO date and an amount."""
    email = _EMAIL.search(text)
    date = _DATE.search(text)
    amount = _AMOUNT.search(text)
    number = (amount.group(1) or amount.group(2)).replace(",", ".") if amount else None
    return json.dumps(
        {
            "email": email.group(0) if email else None,
            "date": date.group(0) if date else None,
            "amount": f"{float(number):.2f}" if number else None,
        },
        sort_keys=True,
    )


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return json.loads(output) == example["expected"]
