"""The task: retrieval-augmented answers (questions about the refund policy).

Everything specific to the task lives here: the documents and the retriever, the prompt and
its version, how a raw model answer is checked, the fake provider's deterministic answer and
the evaluation metric. Replace ``DOCUMENTS`` and ``retrieve`` with your document store and
retriever.

After changing the prompt, bump ``PROMPT_VERSION``: eval reports record it
{%- if cookiecutter.response_cache %} and the cache
key includes it{% endif %}.
"""

import re

from .errors import MalformedOutput
from .text import contains_all, sentences

TASK_TYPE = "rag"
PROMPT_VERSION = "rag-v1"

METRIC = "keyword_recall"
"""An output is correct when it contains every ``must_include`` term of the golden example:
the facts the right passage states."""

DOCUMENTS = (
    "Refunds are issued within 14 days of receiving the returned item. "
    "The refund goes back to the original payment method.",
    "Items can be returned within 30 days of delivery if they are unused and in their "
    "original packaging. Sale items cannot be returned.",
    "Return shipping is free for customers in the EU. Customers outside the EU pay the "
    "return shipping costs themselves.",
    "Damaged items must be reported within 48 hours of delivery with a photo of the damage. "
    "We then send a replacement at no cost.",
    "Gift cards are not refundable and cannot be exchanged for cash.",
)

SYSTEM_PROMPT = (
    "Answer the customer's question using only the passages below. Quote the relevant facts "
    "exactly. If the passages do not answer the question, say that you do not know."
)

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are can do does for how i if in is it my of on or the to what when where "
        "which who why will with you your",
    )
)


def _terms(text: str) -> frozenset[str]:
    return frozenset(word for word in _WORD.findall(text.casefold()) if word not in _STOPWORDS)


_INDEX = {passage: _terms(passage) for passage in DOCUMENTS}
"""The terms of each passage, computed once (the documents do not change)."""
_SENTENCES = {
    passage: tuple((sentence, _terms(sentence)) for sentence in sentences(passage))
    for passage in DOCUMENTS
}


def retrieve(question: str, k: int = 2) -> list[str]:
    """The ``k`` passages sharing the most terms with the question (keyword retrieval)."""
    wanted = _terms(question)
    ranked = sorted(DOCUMENTS, key=lambda passage: -len(wanted & _INDEX[passage]))
    return ranked[:k]


def build_messages(text: str) -> list[dict[str, str]]:
    """The chat messages sent to the provider: the retrieved passages, then the question."""
    context = "\n\n".join(f"Passage {n}: {passage}" for n, passage in enumerate(retrieve(text), 1))
    return [
        {"role": "system", "content": f"{SYSTEM_PROMPT}\n\n{context}"},
        {"role": "user", "content": text},
    ]


def parse_output(raw: str) -> str:
    """Check a raw model answer and return the output to deliver."""
    output = raw.strip()
    if not output:
        raise MalformedOutput("empty answer")
    return output


def fake_output(text: str) -> str:
    """The fake provider's answer: the retrieved sentence sharing the most terms with the
    question (an extractive question-answering baseline)."""
    wanted = _terms(text)
    candidates = [pair for passage in retrieve(text) for pair in _SENTENCES[passage]]
    return max(candidates, key=lambda pair: len(wanted & pair[1]))[0]


def is_correct(output: str, example: dict) -> bool:
    """Evaluation metric for one golden example."""
    return contains_all(output, example["must_include"])
