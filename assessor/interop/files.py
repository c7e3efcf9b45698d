"""Reading and writing interop files: lens JSON, sidecars, rubric YAML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor.domain import source as src
from assessor.domain.load import bundled_rubrics, load_rubric, rubric_from_source
from assessor.errors import InputError, OutputExistsError
from assessor.fileio import atomic_write
from assessor.interop.lens import Imported, import_lens
from assessor.interop.lens_export import SIDECAR_SUFFIX, export_lens, merge_sidecar

if TYPE_CHECKING:
    from assessor.domain.rubric import Rubric


def rubric_yaml(doc: dict[str, Any], header: str) -> str:
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # conditions shared between rules are written out in full

    body = yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def sidecar_of(lens: Path) -> Path:
    """The sidecar next to a lens: ``LENS.json`` -> ``LENS.assessor.yaml``."""
    return lens.with_name(lens.stem + SIDECAR_SUFFIX)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def read_lens(path: Path) -> src.Source:
    """A lens file as a :class:`~assessor.domain.source.Source`.

    Strict JSON is read with the json module (a published lens is 100-200 KB, which the
    position-keeping reader takes a tenth of a second for); anything else (duplicate keys,
    YAML, broken JSON) goes to the position-keeping reader, which locates its problems.
    Positions are added later when a problem or note needs them (:func:`located`)."""
    import json

    name = str(path)
    text = src.read_text(path, name)
    try:
        return src.Source(name, json.loads(text, object_pairs_hook=_unique_keys))
    except ValueError:
        return src.parse(text, name)


def located(source: src.Source) -> src.Source:
    """The same lens with every value's line and column (read again, only when needed)."""
    if source.marks:
        return source
    return src.parse(src.read_text(Path(source.name), source.name), source.name)


def lens_rubric(path: Path) -> tuple[Imported, str]:
    """The rubric document of a lens file (and its sidecar), and a header for the file."""
    source = read_lens(path)
    sidecar = sidecar_of(path)
    side = (
        src.parse(src.read_text(sidecar, str(sidecar)), str(sidecar)) if sidecar.is_file() else None
    )

    def run(lens: src.Source) -> Imported:
        return merge_sidecar(lens, side) if side is not None else import_lens(lens)

    try:
        imported = run(source)
    except InputError:
        imported = run(located(source))  # raises again, now with lines and columns
    if imported.notes and not source.marks:
        imported = run(located(source))
    if side is not None:
        imported.notes.insert(0, f"read the sidecar {sidecar}")
        return imported, (
            f"Imported from the lens {path.name} and its sidecar by `assessor rubric import`."
        )
    return imported, (
        f"Imported from the Well-Architected lens {path.name} by `assessor rubric import`."
    )


def import_lens_file(path: Path) -> tuple[str, Rubric, list[str]]:
    """(rubric YAML, the rubric it validates to, notes) for a lens file (and its sidecar)."""
    imported, header = lens_rubric(path)
    text = rubric_yaml(imported.rubric, header)
    # What is written must load: validate it exactly as `rubric validate` will.
    rubric = rubric_from_source(src.parse(text, str(path)))
    return text, rubric, imported.notes


def export_lens_file(ref: str | Path, out: Path, *, force: bool) -> tuple[Path, list[str]]:
    """Write the lens of a rubric (bundled id or file) to ``out`` and its sidecar next to it.

    Refuses to replace either file without ``force``; returns (sidecar path, notes)."""
    import json

    rubric = load_rubric(ref)
    path = bundled_rubrics().get(str(ref)) or Path(ref)
    document = src.parse(src.read_text(path, str(path)), str(path)).data
    lens, sidecar, notes = export_lens(rubric, document)
    side = sidecar_of(out)
    for target in (out, side):
        if target.exists() and not force:
            raise OutputExistsError(f"{target} exists; pass --force to replace it")
    header = (
        f"What the lens {out.name} cannot carry, for `assessor rubric import {out.name}`.\n"
        "Texts the lens holds verbatim (prompts, labels, help) are read from the lens."
    )
    atomic_write(side, rubric_yaml(sidecar, header), exclusive=not force)
    text = json.dumps(lens, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    atomic_write(out, text, exclusive=not force)
    return side, notes
