"""Small text helpers for the task definition{% if cookiecutter.human_fallback %} and the confidence estimators{% endif %}."""

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form of an output, for comparing answers."""
    return _SPACES.sub(" ", text).strip().casefold()


def sentences(text: str) -> list[str]:
    """Split text into sentences (good enough for the fake provider and the metrics)."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def first_sentence(text: str, max_words: int = 40) -> str:
    """The first sentence of ``text``, cut to ``max_words`` words."""
    found = sentences(text)
    words = (found[0] if found else "").split()
    return " ".join(words[:max_words])


def contains_all(output: str, terms: list[str]) -> bool:
    """True when every term occurs in the output (case-insensitive)."""
    folded = normalise(output)
    return all(normalise(term) in folded for term in terms)
