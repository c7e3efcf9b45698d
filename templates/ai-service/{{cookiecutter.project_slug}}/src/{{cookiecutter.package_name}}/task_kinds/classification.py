"""The task: classification (routing a support message to a team).

Everything specific to the task lives here: the labels, the prompt and its version, how a
raw model answer is checked, the fake provider's deterministic answer and the evaluation
metric.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

import re

from .errors import MalformedOutput
from .text import normalise

TASK_TYPE = "classification"
PROMPT_VERSION = "classification-v1"

METRIC = "exact_match"
"""An output is correct when it is exactly the golden example's ``expected`` label."""

LABELS = ("billing", "technical", "account", "shipping", "other")

SYSTEM_PROMPT = (
    "Classify the customer message into exactly one of these labels: "
    + ", ".join(LABELS)
    + ". Answer with the label only, in lowercase."
)

# Keywords of the fake provider's deterministic classifier, checked in this order.
FAKE_KEYWORDS = {
    "billing": ("invoice", "charged", "refund", "payment", "billing", "price"),
    "shipping": ("delivery", "parcel", "package", "shipping", "tracking", "courier"),
    "account": ("password", "login", "log in", "account", "email address", "username"),
    "technical": ("error", "crash", "bug", "not working", "slow", "freezes"),
}


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider for one input."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


def parse_output(raw: str) -> str:
    """Check a raw model answer: it must be one of ``LABELS``."""
    label = re.sub(r"[^a-z_]", "", normalise(raw))
    if label not in LABELS:
        raise MalformedOutput(f"not a known label: {raw.strip()[:40]!r}")
    return label


def fake_output(text: str) -> str:
    """The fake provider's answer: the first label one of whose keywords occurs in the text."""
    folded = normalise(text)
    for label, keywords in FAKE_KEYWORDS.items():
        if any(keyword in folded for keyword in keywords):
            return label
    return "other"


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return output == example["expected"]
