"""Reading and writing interop files: lens JSON, sidecars, rubric YAML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor.domain import source as src
from assessor.domain.load import bundled_rubrics, load_rubric, rubric_from_source
from assessor.errors import OutputExistsError
from assessor.fileio import atomic_write
from assessor.interop.lens import Imported, import_lens
from assessor.interop.lens_export import SIDECAR_SUFFIX, export_lens, merge_sidecar

if TYPE_CHECKING:
    from assessor.domain.rubric import Rubric


def rubric_yaml(doc: dict[str, Any], header: str) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # conditions shared between rules are written out in full

    body = yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def sidecar_of(lens: Path) -> Path:
    """The sidecar next to a lens: ``LENS.json`` -> ``LENS.assessor.yaml``."""
    return lens.with_name(lens.stem + SIDECAR_SUFFIX)


def import_lens_file(path: Path) -> tuple[str, Rubric, list[str]]:
    """(rubric YAML, the rubric it validates to, notes) for a lens file (and its sidecar)."""
    name = str(path)
    source = src.parse(src.read_text(path, name), name)
    sidecar = sidecar_of(path)
    imported: Imported
    if sidecar.is_file():
        side = src.parse(src.read_text(sidecar, str(sidecar)), str(sidecar))
        imported = merge_sidecar(source, side)
        imported.notes.insert(0, f"read the sidecar {sidecar}")
        header = f"Imported from the lens {path.name} and its sidecar by `assessor rubric import`."
    else:
        imported = import_lens(source)
        header = f"Imported from the Well-Architected lens {path.name} by `assessor rubric import`."
    text = rubric_yaml(imported.rubric, header)
    # What is written must load: validate it exactly as `rubric validate` will.
    rubric = rubric_from_source(src.parse(text, name))
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
    atomic_write(side, rubric_yaml(sidecar, header))
    atomic_write(out, json.dumps(lens, indent=2, ensure_ascii=False) + "\n")
    return side, notes
