"""``assessor scaffold``: score, ask for the names, render with progress, summarise."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assessor.errors import NotATerminalError, UsageError
from assessor.scaffold import context, names
from assessor.scaffold.project import Prepared, load, prepare, render_prepared
from assessor.scaffold.render import Rendered, check_destination

Ask = Callable[[str, str, Callable[[str], bool | str]], str | None]
"""``ask(message, default, validate) -> answer`` (None when the user cancels)."""


def run_scaffold(
    file: Path,
    out: Path,
    *,
    no_input: bool,
    force: bool,
    with_patterns: list[str] | tuple[str, ...] = (),
    without_patterns: list[str] | tuple[str, ...] = (),
    rubric_path: Path | None = None,
    project_slug: str | None = None,
    package_name: str | None = None,
    ask: Ask | None = None,
    template: Path | None = None,
) -> Rendered:
    """The ``scaffold`` command. Raises assessor errors; the CLI maps them to exit codes.

    Without ``no_input`` the project and package names are asked for (questionary), with the
    derived (or given) names as defaults; without a terminal that is refused (exit 2).
    ``ask`` replaces the terminal prompt (tests).
    """
    from rich.console import Console

    console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
    context.check_pattern_options(with_patterns, without_patterns)
    check_destination(out, force=force)
    if not no_input and ask is None and not _interactive():
        raise NotATerminalError(
            "no terminal to ask for the project and package names; pass --no-input to use "
            "the names derived from the use case (--name and --package choose them)"
        )

    _step(console, f"scoring {file}")
    loaded, data = load(file, rubric_path)
    options: dict[str, Any] = {
        "assessment_bytes": data,
        "with_patterns": tuple(with_patterns),
        "without_patterns": tuple(without_patterns),
        "template": template,
    }
    prepared = prepare(loaded, project_slug=project_slug, package_name=package_name, **options)
    if not no_input:
        slug, package = _ask_names(prepared, ask or _questionary_ask, package_name)
        prepared = prepare(loaded, project_slug=slug, package_name=package, **options)

    with console.status("rendering", spinner="dots") as status:

        def progress(step: str) -> None:
            status.update(_safe(console, step))
            _step(console, step)

        rendered = render_prepared(prepared, out, force=force, progress=progress, template=template)
    _summary(console, prepared, rendered, out)
    return rendered


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _ask_names(prepared: Prepared, ask: Ask, given_package: str | None) -> tuple[str, str]:
    plan = prepared.plan

    def valid_slug(value: str) -> bool | str:
        try:
            names.validate_slug(value)
        except names.NameError_ as exc:
            return str(exc)
        return True

    def valid_package(value: str) -> bool | str:
        try:
            names.validate_package(value)
        except names.NameError_ as exc:
            return str(exc)
        return True

    slug = ask(
        "Project name (distribution, command and project folder name):",
        plan.project_slug,
        valid_slug,
    )
    if slug is None:
        raise KeyboardInterrupt
    names_checked = _validated(slug, valid_slug)
    default_package = given_package or names.derive_package(names_checked)
    package = ask("Python package name:", default_package, valid_package)
    if package is None:
        raise KeyboardInterrupt
    return names_checked, _validated(package, valid_package)


def _validated(value: str, check: Callable[[str], bool | str]) -> str:
    verdict = check(value)
    if verdict is not True:
        raise UsageError(str(verdict))
    return value


def _questionary_ask(
    message: str, default: str, validate: Callable[[str], bool | str]
) -> str | None:
    import questionary

    answer = questionary.text(message, default=default, validate=validate).ask()
    return None if answer is None else str(answer)


def _safe(console: Any, text: str) -> str:
    """Text the console's encoding can show (LANG=C, PYTHONIOENCODING=ascii)."""
    from assessor.fileio import terminal_safe

    encoding = getattr(console, "encoding", None) or "utf-8"
    clean = terminal_safe(text)
    try:
        clean.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        clean = clean.encode(encoding, "replace").decode(encoding, "replace")
    return clean


def _step(console: Any, text: str) -> None:
    from rich.text import Text

    console.print(Text("  - " + _safe(console, text), style="dim"))


def _summary(console: Any, prepared: Prepared, rendered: Rendered, out: Path) -> None:
    from rich.text import Text

    plan = prepared.plan
    result = prepared.result
    safe = lambda text: _safe(console, text)  # noqa: E731
    console.print(
        Text.assemble(
            ("Rendered ", "bold"),
            (safe(plan.project_name), "bold"),
            f" into {safe(str(out))} ",
            f"(project {plan.project_slug}, package {plan.package_name}; "
            f"verdict {result.verdict}, score {result.score}).",
        )
    )
    if rendered.kept:
        console.print(
            f"  {len(rendered.kept)} file(s) were already there with the same content and "
            "were left as they are."
        )
    console.print(Text("Patterns:", style="bold"))
    for choice in plan.patterns:
        mark = ("on ", "green") if choice.on else ("off", "yellow")
        console.print(
            Text.assemble("  ", mark, f"  {choice.id:<15} ", safe(choice.why)),
        )
    for pattern_id in plan.ignored:
        console.print(
            f"  --   {safe(pattern_id)}: recommended by the rubric, but the template has no "
            "such pattern; not generated"
        )
    folder = shlex.quote(str(out))
    console.print(Text("Next:", style="bold"))
    console.print(
        f"  run:  cd {folder} && python -m pip install -e '.[test]' && {plan.project_slug} serve"
    )
    console.print(f"  test: cd {folder} && pytest")
