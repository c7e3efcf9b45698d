"""The boolean language of a lens's risk rules, parsed into the rubric's condition language.

A risk rule's ``condition`` is ``default`` or an expression over the choice ids of its own
question: ``choice_1 && !(choice_2 || choice_3)``. Precedence, highest first: ``!``, ``&&``,
``||``; parentheses group. A choice id is true when that choice is selected, which is the
rubric test ``{answer: question, contains: choice}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\s*(?:(&&|\|\||!|\(|\))|([A-Za-z0-9_]+)|(\S))")


class RuleSyntaxError(ValueError):
    """A risk rule that does not parse; ``column`` is 1-based within the condition text."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column


@dataclass(frozen=True)
class _Tok:
    kind: str  # "op", "id", "end"
    text: str
    column: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # only trailing blanks are left
            break
        op, name, bad = match.groups()
        column = match.start(match.lastindex or 0) + 1
        if bad is not None:
            hint = " (use &&, || and !)" if bad in "&|" else ""
            raise RuleSyntaxError(column, f"unexpected character {bad!r}{hint}")
        out.append(_Tok("op", op, column) if op else _Tok("id", name, column))
        pos = match.end()
    out.append(_Tok("end", "", len(text) + 1))
    return out


def parse(text: str, question: str, choice_ids: set[str]) -> dict[str, Any] | None:
    """The rubric condition (plain data) of a risk rule; ``None`` for ``default``.

    Raises :class:`RuleSyntaxError` for a malformed expression or a name that is not a
    choice of ``question``.
    """
    if text.strip() == "default":
        return None
    tokens = _tokens(text)
    at = [0]

    def peek() -> _Tok:
        return tokens[at[0]]

    def take() -> _Tok:
        tok = tokens[at[0]]
        at[0] += 1
        return tok

    def binary(op: str, group: str, operand: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        parts = [operand()]
        while peek().kind == "op" and peek().text == op:
            take()
            parts.append(operand())
        if len(parts) == 1:
            return parts[0]
        flat: list[dict[str, Any]] = []
        for part in parts:  # a && (b && c) is one list
            flat.extend(part[group] if list(part) == [group] else [part])
        return {group: flat}

    def either() -> dict[str, Any]:
        return binary("||", "any", both)

    def both() -> dict[str, Any]:
        return binary("&&", "all", negation)

    def negation() -> dict[str, Any]:
        if peek().kind == "op" and peek().text == "!":
            take()
            inner = negation()
            if list(inner) == ["not"]:  # !!a is a
                return dict(inner["not"])
            return {"not": inner}
        return atom()

    def atom() -> dict[str, Any]:
        tok = take()
        if tok.kind == "id":
            if tok.text == "default":
                raise RuleSyntaxError(tok.column, "'default' must be the whole condition")
            if tok.text not in choice_ids:
                raise RuleSyntaxError(
                    tok.column,
                    f"{tok.text!r} is not a choice of this question "
                    "(a rule reads only its own question's choices)",
                )
            return {"answer": question, "contains": tok.text}
        if tok.kind == "op" and tok.text == "(":
            inner = either()
            close = take()
            if not (close.kind == "op" and close.text == ")"):
                raise RuleSyntaxError(close.column, "expected ')'")
            return inner
        found = "end of condition" if tok.kind == "end" else repr(tok.text)
        raise RuleSyntaxError(tok.column, f"expected a choice id or '(', found {found}")

    result = either()
    rest = peek()
    if rest.kind != "end":
        raise RuleSyntaxError(rest.column, f"unexpected {rest.text!r} (missing && or ||?)")
    return result


def render(cond: dict[str, Any], choice_of: Callable[[dict[str, Any]], str | None]) -> str | None:
    """A rubric condition over one question as a risk-rule expression, or ``None`` when the
    lens language cannot say it (numbers, ``known``). ``choice_of`` turns one answer test
    into an expression over choice ids (or None)."""

    def go(node: dict[str, Any], parent: str) -> str | None:
        if "all" in node or "any" in node:
            group = "all" if "all" in node else "any"
            parts = [go(child, group) for child in node[group]]
            if not parts or any(p is None for p in parts):
                return None
            joined = (" && " if group == "all" else " || ").join(p for p in parts if p)
            needs = len(parts) > 1 and (parent == "not" or (parent == "all" and group == "any"))
            return f"({joined})" if needs else joined
        if "not" in node:
            inner = go(node["not"], "not")
            return None if inner is None else f"!{inner}"
        text = choice_of(node)
        if text is None:
            return None
        compound = "&&" in text or "||" in text
        return f"({text})" if compound and parent in ("not", "all") else text

    return go(cond, "")
