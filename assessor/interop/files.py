"""Reading and writing interop files: lens JSON, sidecars, rubric YAML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor.domain import source as src
from assessor.domain.load import rubric_from_source
from assessor.interop.lens import import_lens

if TYPE_CHECKING:
    from assessor.domain.rubric import Rubric


def rubric_yaml(doc: dict[str, Any], header: str) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # conditions shared between rules are written out in full

    body = yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def import_lens_file(path: Path) -> tuple[str, Rubric, list[str]]:
    """(rubric YAML, the rubric it validates to, notes) for a lens file."""
    name = str(path)
    source = src.parse(src.read_text(path, name), name)
    imported = import_lens(source)
    text = rubric_yaml(
        imported.rubric,
        f"Imported from the Well-Architected lens {path.name} by `assessor rubric import`.",
    )
    # What is written must load: validate it exactly as `rubric validate` will.
    rubric = rubric_from_source(src.parse(text, name))
    return text, rubric, imported.notes
