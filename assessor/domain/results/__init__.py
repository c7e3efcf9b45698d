"""Readers of evaluation results: one module per format, each turning a parsed results file
into a :class:`~assessor.domain.evidence.Measurement` (cases scored, cases wrong).

Pure: the caller reads the bytes; :func:`read` parses, detects the format from the content
when no kind is given, and raises :class:`~assessor.errors.InputError` naming the file and
what was expected when the content is of no known shape.
"""

from __future__ import annotations

import json
from typing import Any

from assessor.domain.evidence import Measurement
from assessor.domain.results import (
    assessor_eval,
    deepeval,
    inspect_ai,
    openai_evals,
    promptfoo,
    service_quality,
)
from assessor.domain.results.common import ShapeError
from assessor.errors import InputError, Problem

READERS = {
    m.KIND: m
    for m in (assessor_eval, promptfoo, inspect_ai, deepeval, openai_evals, service_quality)
}
"""Each format's module: ``KIND``, ``EXPECTED`` (what it looks like, in words),
``matches(doc)`` and ``read(doc)``."""

__all__ = ["READERS", "ShapeError", "parse", "read"]


def parse(name: str, data: bytes) -> Any:
    """The file's JSON document, or for JSON Lines the list of its records."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(name, message=f"invalid UTF-8 at byte offset {exc.start}; expected JSON")
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise InputError(
                Problem(name, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")
            ) from None
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(
                Problem(name, number, exc.colno, "", f"invalid JSON Lines: {exc.msg}")
            ) from None
    return records


def read(name: str, data: bytes, kind: str | None = None) -> Measurement:
    """Read one results file's bytes as ``kind``, or as the format its content shows."""
    doc = parse(name, data)
    if kind is None:
        found = [m for m in READERS.values() if m.matches(doc)]
        if not found:
            expected = "; ".join(f"{m.KIND}: {m.EXPECTED}" for m in READERS.values())
            raise InputError(
                Problem(name, message=f"not a results file of a known kind (expected {expected})")
            )
        reader = found[0]
    else:
        reader = READERS[kind]
        if not reader.matches(doc):
            raise InputError(
                Problem(name, message=f"not a {kind} file: expected {reader.EXPECTED}")
            )
    try:
        measurement: Measurement = reader.read(doc)
    except ShapeError as exc:
        raise InputError(Problem(name, path=exc.path, message=f"{reader.KIND}: {exc}")) from None
    if measurement.n < 1:
        detail = f" ({measurement.unscored} failed to run)" if measurement.unscored else ""
        raise InputError(
            Problem(name, message=f"{reader.KIND}: no scored cases{detail}; nothing to measure")
        )
    return measurement
