"""The task: an agent step (choosing the next action on a customer case).

The service proposes one action; with human checkpoints, consequential actions wait for a
reviewer (see the README). Everything specific to the task lives here: the actions, the
prompt and its version, how a raw model answer is checked, the fake provider's
deterministic answer and the evaluation metric.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

import json
import re

from .errors import MalformedOutput

TASK_TYPE = "agentic_workflow"
PROMPT_VERSION = "agentic_workflow-v1"

METRIC = "exact_match"
"""An output is correct when action and target equal the golden example's ``expected``."""

ACTIONS = ("refund_order", "resend_order", "reset_password", "escalate_to_human")

SYSTEM_PROMPT = (
    "You choose the next action for a customer case. Answer with one JSON object only: "
    '{"action": one of ' + ", ".join(ACTIONS) + ', "target": the order number as a string, '
    "or null when the case names none}. Choose escalate_to_human when unsure."
)

# Keywords of the fake provider's deterministic policy, checked in this order.
FAKE_KEYWORDS = {
    "reset_password": ("password", "locked out", "cannot log in"),
    "refund_order": ("refund", "money back", "charged twice"),
    "resend_order": ("never arrived", "lost", "not delivered", "missing"),
}

_ORDER = re.compile(r"#?(\d{4,})")


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider for one input."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


def parse_output(raw: str) -> str:
    """Check a raw model answer: a JSON object with a known action and a target.

    Returns the object re-serialised canonically, so equal answers compare equal.
    """
    text = raw.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedOutput(f"not JSON: {error.msg}") from None
    if not isinstance(value, dict) or value.get("action") not in ACTIONS:
        raise MalformedOutput(f"expected a JSON object whose action is one of {ACTIONS}")
    target = value.get("target")
    if target is not None and not isinstance(target, str):
        raise MalformedOutput("target must be a string or null")
    return json.dumps({"action": value["action"], "target": target}, sort_keys=True)


def fake_output(text: str) -> str:
    """The fake provider's answer: a keyword policy; the first long number is the order."""
    folded = text.casefold()
    action = next(
        (name for name, words in FAKE_KEYWORDS.items() if any(word in folded for word in words)),
        "escalate_to_human",
    )
    order = _ORDER.search(text)
    return json.dumps(
        {"action": action, "target": order.group(1) if order else None}, sort_keys=True
    )


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return json.loads(output) == example["expected"]
