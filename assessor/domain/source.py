"""Read YAML or JSON into plain data while remembering where every value came from.

PyYAML's composer gives nodes with positions; we build the Python values ourselves so that we
can refuse what a configuration file must never contain (custom tags, duplicate keys, alias
bombs, several documents) and so that every later error can name file:line:column.

Hand-written on purpose, on top of PyYAML's (C) composer: ``yaml.safe_load`` loses
positions, keeps the last of duplicate keys, turns ``no`` into False and expands alias bombs;
ruamel.yaml keeps positions for mappings but not for every scalar, and neither refuses the
rest. The parser itself stays PyYAML's; only the node-to-value step is ours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assessor.errors import InputError, Problem

MAX_BYTES = 2 * 1024 * 1024
"""Files above this size are refused before parsing (an assessment is a few KB)."""
MAX_NODES = 25_000
"""Values produced, counting every expansion of an alias: stops alias bombs early. The
default rubric has under 1,000; an assessment under 100."""
MAX_DEPTH = 64
MAX_NUMBER = 1e15
"""Largest magnitude of any number in an input file (a quadrillion currency units, outputs
per day, ...): products of a few of them stay far inside float range, so no score, cost or
threshold can overflow to infinity or NaN."""
MAX_NUMBER_TEXT = 40
"""Longest number literal converted at all (a 400-digit integer is refused unconverted)."""
OUT_OF_RANGE = "number out of range: at most 1e15 in magnitude"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")

Path_ = tuple[str | int, ...]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class Source:
    """Parsed data plus, for each field path, its position and its text as written."""

    name: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path``, or of its closest located parent."""
        probe = tuple(path)
        while True:
            if probe in self.marks:
                return self.marks[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def problem(self, path: Path_, message: str) -> Problem:
        line, column = self.where(path)
        return Problem(self.name, line, column, dotted(path), message)


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_text(path: Path, display: str | None = None) -> str:
    """Read a UTF-8 text input with the checks every input gets (kind, size, encoding).

    Read through :func:`assessor.fileio.read_bytes`: a FIFO or a device is refused instead of
    hanging or filling memory, and a file too large is refused unread.
    """
    from assessor.fileio import read_bytes

    name = display or str(path)
    return decode(read_bytes(path, limit=MAX_BYTES, display=name), name)


def decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputError(Problem(name, message=f"file too large ({len(data):,} bytes)"))
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise InputError(
            Problem(
                name,
                line,
                column,
                "",
                f"invalid UTF-8 at byte offset {offset} (byte 0x{data[offset]:02x}); "
                "save the file as UTF-8",
            )
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str, name: str, *, numbers_as_text: bool = False) -> Source:
    """Parse one YAML (or JSON) document into a :class:`Source`.

    A number beyond :data:`MAX_NUMBER` is an error, or, with ``numbers_as_text`` (salvaging
    what can be recovered from a bad file), kept as the text written, unconverted.
    """
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if "single document" in f"{exc.context} {what}":
            what = "several documents in one file; expected exactly one"
        elif exc.context:
            what = f"{exc.context}, {what}" if exc.problem else exc.context
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            what += " (a tab: indent with spaces)"
        raise InputError(
            Problem(
                name,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                "",
                f"invalid YAML: {what}",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(name, message=f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise InputError(Problem(name, message="nesting too deep")) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError(Problem(name, 1, 1, "", "file is empty; expected a mapping"))
    source = Source(name, None)
    builder = _Builder(source, numbers_as_text=numbers_as_text)
    source.data = builder.build(node, (), 0)
    return source


@lru_cache(maxsize=1)
def _loader_class() -> Any:
    """PyYAML's C loader (the pure-Python one without libyaml), with tag resolution memoised.

    The composer asks ``resolve`` for the tag of every scalar; the answer depends only on
    the node kind, the text and how it was quoted (safe loaders have no path resolvers),
    and an assessment portfolio repeats the same keys and values thousands of times.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    memo: dict[tuple[Any, Any, Any], str] = {}

    class MemoLoader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            key = (kind, value, implicit)
            tag = memo.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(memo) < 50_000:
                    memo[key] = tag
            return tag

    return MemoLoader


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


class _Builder:
    def __init__(self, source: Source, *, numbers_as_text: bool = False) -> None:
        import yaml

        self.source = source
        self.numbers_as_text = numbers_as_text
        self.count = 0
        self._yaml = yaml
        # Scalars get the same implicit typing as yaml.safe_load (tags resolved by the
        # composer), built by SafeConstructor's own functions; plain text skips the call.
        self._constructor = yaml.constructor.SafeConstructor()
        self._scalar = yaml.constructor.SafeConstructor.yaml_constructors

    def _problem(self, node: Any, path: Path_, message: str) -> InputError:
        mark = node.start_mark
        return InputError(
            Problem(self.source.name, mark.line + 1, mark.column + 1, dotted(path), message)
        )

    def build(self, node: Any, path: Path_, depth: int) -> Any:
        yaml = self._yaml
        self.count += 1
        if self.count > MAX_NODES:
            raise self._problem(
                node, path, f"too many values (over {MAX_NODES:,}; recursive aliases?)"
            )
        if depth > MAX_DEPTH:
            raise self._problem(node, path, f"nesting deeper than {MAX_DEPTH} levels")
        mark = node.start_mark
        self.source.marks.setdefault(path, (mark.line + 1, mark.column + 1))
        if node.tag == _TIMESTAMP and isinstance(node, yaml.ScalarNode):
            # Dates stay text: no answer is a date, and text is what the user wrote.
            self.source.raw[path] = node.value
            return node.value
        if node.tag not in _STANDARD_TAGS:
            raise self._problem(node, path, f"tag {node.tag!r} is not allowed")
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _STANDARD_TAGS:
                    raise self._problem(key_node, path, "mapping keys must be plain strings")
                if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == "<<":
                    raise self._problem(key_node, path, "merge keys (<<) are not supported")
                key = key_node.value
                child = (*path, key)
                if key in out:
                    first = self.source.marks.get(child)
                    at = f" (first at line {first[0]})" if first else ""
                    raise self._problem(key_node, child, f"duplicate key {key!r}{at}")
                km = key_node.start_mark
                self.source.marks[child] = (km.line + 1, km.column + 1)
                if value_node.tag == _STR and type(value_node) is yaml.ScalarNode:
                    # Most values are plain text: no recursion (the key's mark locates it).
                    self.count += 1
                    if self.count > MAX_NODES:
                        raise self._problem(value_node, child, "too many values")
                    self.source.raw[child] = out[key] = value_node.value
                    continue
                out[key] = self.build(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        self.source.raw[path] = node.value
        if node.tag == _STR:
            return node.value
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_TEXT:
            if self.numbers_as_text:
                return node.value
            raise InputError(self.source.problem(path, OUT_OF_RANGE))
        try:
            value = self._scalar[node.tag](self._constructor, node)
        except (yaml.YAMLError, ValueError) as exc:
            raise self._problem(node, path, f"invalid value: {exc}") from None
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and abs(value) > MAX_NUMBER
            and not math.isinf(value)  # .inf is a finiteness error the validators name
        ):
            if self.numbers_as_text:
                return node.value
            raise InputError(self.source.problem(path, OUT_OF_RANGE))
        return value
