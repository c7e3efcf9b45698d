"""Reports for consultants: one use case or a portfolio, as Markdown, HTML, PDF or JSON.

``write_report`` is what ``assessor report`` calls. Every format renders the same
:class:`~assessor.reports.model.Report`, built once from the scored assessments; the PDF is the
HTML printed by WeasyPrint (the optional ``pdf`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from assessor.reports.build import DocFields

Format = Literal["md", "html", "pdf", "json"]
FORMATS: tuple[Format, ...] = ("md", "html", "pdf", "json")
FORMAT_LABELS: dict[str, str] = {"md": "Markdown", "html": "HTML", "pdf": "PDF", "json": "JSON"}
"""How the front ends name each format."""
MAX_COVER_TEXT = 300
"""Longest --title, --client or --author accepted (characters)."""


def write_report(
    files: list[Path],
    *,
    fmt: str,
    out: Path,
    force: bool = False,
    title: str | None = None,
    client: str | None = None,
    author: str | None = None,
    logo: Path | None = None,
    history: bool = False,
    rubric_path: Path | None = None,
    trust_repo: bool = False,
    doc: DocFields | None = None,
) -> None:
    """Score ``files`` and write their report to ``out`` atomically.

    One file is a use-case report; several are a portfolio. Refuses an existing ``out``
    unless ``force``; invalid input files raise :class:`~assessor.errors.InputError` with every
    problem located, before anything is written.
    """
    from assessor.errors import UsageError

    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not files:
        raise UsageError("no assessment file given")
    _check_output(files, out, force)
    from assessor.reports.build import DocFields

    doc = doc or DocFields()
    if doc.summary and len(files) < 2:
        raise UsageError("--summary is for a portfolio: give several assessment files")
    cover = (("--title", title), ("--client", client), ("--author", author),
             ("--doc-version", doc.doc_version), ("--currency", doc.currency))  # fmt: skip
    for name, value in cover:
        if value is not None and len(value) > MAX_COVER_TEXT:
            raise UsageError(f"{name} is {len(value)} characters long; at most {MAX_COVER_TEXT}")
    if fmt == "pdf":
        from assessor.reports.pdf import require_engine

        require_engine()

    import gc

    # A report allocates many small objects that all live until it is written; pausing the
    # cyclic collector meanwhile saves it from re-scanning them (a tenth of a large portfolio).
    paused = gc.isenabled()
    gc.disable()
    try:
        data = render_report(
            files,
            fmt=fmt,
            title=title,
            client=client,
            author=author,
            logo=logo,
            history=history,
            rubric_path=rubric_path,
            out=out,
            trust_repo=trust_repo,
            doc=doc,
        )
    finally:
        if paused:
            gc.enable()
    from assessor.fileio import atomic_write

    # Without --force the file is created only if nothing is there, atomically: of several
    # runs writing one new file, exactly one wins and the others are told it exists.
    atomic_write(out, data, exclusive=not force)


def render_report(
    files: list[Path],
    *,
    fmt: str,
    title: str | None = None,
    client: str | None = None,
    author: str | None = None,
    logo: Path | None = None,
    history: bool = False,
    rubric_path: Path | None = None,
    out: Path | None = None,
    trust_repo: bool = False,
    doc: DocFields | None = None,
) -> str | bytes:
    """The report's content in ``fmt`` (text for md/html/json, bytes for pdf)."""
    from assessor.reports.build import DocFields

    doc = doc or DocFields()
    from assessor.app.batch import load_all, score_loaded
    from assessor.app.parallel import jobs_for
    from assessor.reports.build import build_report

    logo_uri = None
    logo_as_is = False
    if logo is not None:
        from assessor.reports.safety import load_logo

        # Refuse an unfit logo in every format, even where it is not shown.
        checked = load_logo(logo)
        logo_uri = checked.data_uri
        # Markdown can only link the file: only when it is exactly the sanitised image (an
        # SVG the sanitiser had to change is left out rather than linked unsanitised).
        logo_as_is = checked.data == logo.read_bytes()
    if fmt in ("html", "pdf") and len(files) > 1 and jobs_for(len(files)) > 1:
        html = _html_portfolio_in_workers(
            files, title=title, client=client, author=author, logo_uri=logo_uri,
            history=history, rubric_path=rubric_path, trust_repo=trust_repo,
            doc=doc, for_pdf=fmt == "pdf",
        )  # fmt: skip
        if fmt == "html":
            return html
        from assessor.reports.pdf import html_to_pdf

        return html_to_pdf(html, title=_pdf_title(html), author=author or "")

    items = load_all(files, rubric_path)
    results = [score_loaded(item) for item in items]
    histories = None
    if history:
        from assessor.reports.history import file_history

        override = items[0].rubric if rubric_path else None
        histories = [file_history(item.path, override, trust_repo=trust_repo) for item in items]
    report = build_report(
        items,
        results,
        files=[str(f) for f in files],
        title=title,
        client=client,
        author=author,
        histories=histories,
        doc=doc,
    )
    rubrics = [item.rubric for item in items]
    if fmt == "json":
        from assessor.reports.jsonreport import render_json

        return render_json(report)
    if fmt == "md":
        from assessor.reports.markdown import render_markdown

        logo_ref = (
            _relative_logo(logo, out)
            if logo is not None and out is not None and logo_as_is
            else None
        )
        return render_markdown(report, rubrics, logo=logo_ref)
    from assessor.reports.html import render_html

    html = render_html(report, rubrics, logo_uri=logo_uri, for_pdf=fmt == "pdf")
    if fmt == "html":
        return html
    from assessor.reports.pdf import html_to_pdf

    return html_to_pdf(html, title=report.meta.title, author=report.meta.author)


def _pdf_title(html: str) -> str:
    """The document's title as the HTML gives it (its <title>, unescaped)."""
    import html as _html

    start = html.find("<title>")
    end = html.find("</title>", start)
    return _html.unescape(html[start + 7 : end]) if start >= 0 and end > start else ""


def _html_portfolio_in_workers(
    files: list[Path],
    *,
    title: str | None,
    client: str | None,
    author: str | None,
    logo_uri: str | None,
    history: bool,
    rubric_path: Path | None,
    trust_repo: bool = False,
    doc: DocFields,
    for_pdf: bool = False,
    currency: str | None = None,
) -> str:
    """A large portfolio's HTML with each use case loaded, scored and rendered in a worker.

    The same document as the serial path (a test compares them byte for byte); only the
    portfolio summary and the page around the sections are made in this process.

    The sections show amounts in the report's currency, which the use cases' own rubrics
    decide (the first one with a currency) unless ``--currency`` or ``--rubric`` does. The
    workers render with the currency of ``--rubric`` or the default rubric; when the rubrics
    they loaded decide otherwise, the portfolio is rendered again with ``currency``.
    """
    from assessor.app.batch import load_all, score_loaded
    from assessor.app.parallel import map_in_chunks
    from assessor.domain.load import DEFAULT_RUBRIC, load_rubric
    from assessor.reports.build import (
        anchor_of,
        assemble_report,
        currency_of,
        methodology,
        overview_only,
        report_currency,
        use_case_report,
    )
    from assessor.reports.html import (
        RubricInfo,
        _environment,
        render_bodies,
        render_document,
        rubric_info,
        use_case_view,
    )
    from assessor.reports.model import Methodology, UseCaseReport

    # Load shared state before forking, so that every worker inherits it warm.
    override = load_rubric(rubric_path) if rubric_path else None
    main_rubric = override or load_rubric(DEFAULT_RUBRIC)
    main_rubric.compiled  # noqa: B018 - compiles the rules
    if currency is None:
        currency = report_currency(doc, [main_rubric])
    _environment().get_template("report.html.j2")
    _environment().get_template("use_case.html.j2")

    def work(
        chunk: Sequence[tuple[int, Path]],
    ) -> list[tuple[UseCaseReport, RubricInfo, str, Methodology, str]]:
        items = load_all([path for _, path in chunk], rubric_path)
        out = []
        for (index, path), item in zip(chunk, items, strict=True):
            hist = None
            if history:
                from assessor.reports.history import file_history

                hist = file_history(item.path, override, trust_repo=trust_repo)
            uc = use_case_report(
                item,
                score_loaded(item),
                anchor=anchor_of(index),
                file=str(path),
                history=hist,
                currency=currency,
            )
            body = ""
            if not doc.summary:
                view = use_case_view(
                    uc, item.rubric, index, currency=currency, appendix=doc.appendix
                )
                (body,) = render_bodies([view])
            out.append(
                (
                    overview_only(uc),
                    rubric_info(item.rubric),
                    body,
                    methodology(item.rubric),
                    item.rubric.costs.currency,
                )
            )
        return out

    done = map_in_chunks(work, list(enumerate(files)))
    decided = currency_of(doc, [c for *_, c in done])
    if decided != currency:
        return _html_portfolio_in_workers(
            files, title=title, client=client, author=author, logo_uri=logo_uri,
            history=history, rubric_path=rubric_path, trust_repo=trust_repo,
            doc=doc, for_pdf=for_pdf, currency=decided,
        )  # fmt: skip
    report = assemble_report(
        [uc for uc, *_ in done], title=title, client=client, author=author, doc=doc
    )
    seen = {m.rubric: m for *_, m, _ in done}
    report.meta.currency = currency
    report.methodology = list(seen.values())
    return render_document(
        report,
        [info for _, info, *_ in done],
        bodies={uc.anchor: body for uc, _, body, *_ in done},
        logo_uri=logo_uri,
        for_pdf=for_pdf,
    )


def _check_output(files: list[Path], out: Path, force: bool) -> None:
    from assessor.errors import OutputExistsError, UsageError

    if out.is_dir():
        raise UsageError(f"{out} is a folder; give a file name for the report")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{out}: folder {folder} does not exist")
    target = os.path.realpath(out)
    for f in files:
        if os.path.realpath(f) == target:
            raise UsageError(f"{out} is one of the assessment files; choose another output")
    from assessor.fileio import check_writable_target

    check_writable_target(out)
    if out.exists() and not force:
        raise OutputExistsError(f"{out} exists; pass --force to replace it")


def _relative_logo(logo: Path, out: Path) -> str | None:
    """The logo's path relative to the Markdown file, when it is a plain relative path."""
    try:
        rel = Path(os.path.relpath(logo.resolve(), out.resolve().parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return None
    return rel
