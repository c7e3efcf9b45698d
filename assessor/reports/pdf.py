"""The PDF report: the HTML report printed by WeasyPrint (the optional ``pdf`` extra).

WeasyPrint was chosen over headless Chromium: it is a pip dependency (no browser to ship),
it implements the paged-media CSS the report uses (running footers, page counters, page
breaks, ``target-counter`` page references in the build order) and it renders the inline SVG
charts. Rendering never touches the network or the file system: the URL fetcher refuses
everything except the ``data:`` URI of the validated logo.

The report is laid out as one WeasyPrint document, in this process, on purpose: its page
numbers ("Page 7 of 52"), the build order's page references and the tagged structure (PDF/UA)
each depend on the whole document. Printing each use case's section to its own PDF in the
parallel pool and joining the files would lose one of them: joining with pypdf drops the
structure tree (``/StructTreeRoot``, ``/MarkInfo``, ``/Lang``: the PDF is no longer tagged),
and joining WeasyPrint's own documents (``Document.copy``) keeps tags, links and bookmarks but
numbers every part's pages from 1 (its margin boxes are laid out per document). Layout is about
60% of the time (``python bench/reports.py --pdf-only`` prints the split by step), and
WeasyPrint keeps every laid-out page until the PDF is written (about 1.4 MB a page).
"""

from __future__ import annotations

import logging
from typing import Any

from assessor.errors import MissingExtraError, ReportError

INSTALL_HINT = "pip install 'assessor[pdf]'"


def require_engine() -> None:
    """Fail early, with the install command, when WeasyPrint is missing or cannot load."""
    try:
        import weasyprint  # noqa: F401  (takes ~0.5 s: only PDF reports import it)
    except ImportError:
        raise MissingExtraError(
            f"PDF reports need WeasyPrint, which is not installed: {INSTALL_HINT}"
        ) from None
    except OSError as exc:  # the Python package is there, its system libraries are not
        raise MissingExtraError(
            f"WeasyPrint is installed but cannot load its system libraries ({exc}); "
            "install Pango (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        ) from None


def _data_only_fetcher() -> Any:
    """A URL fetcher that serves ``data:`` URIs and refuses every other URL."""
    import weasyprint

    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint >= 68
        return weasyprint.URLFetcher(allowed_protocols={"data"})

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:  # older releases: a function
        if not url.startswith("data:"):
            raise ValueError(f"the report fetches nothing; refused {url[:60]!r}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def html_to_pdf(html: str, *, title: str = "", author: str = "") -> bytes:
    """The HTML printed to a tagged PDF (PDF/UA structure) with its title and author set."""
    require_engine()
    import weasyprint

    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)  # unsupported-CSS warnings are not the user's business
    try:
        document = weasyprint.HTML(
            string=html, url_fetcher=_data_only_fetcher(), base_url=None
        ).render(pdf_tags=True)
        if title:
            document.metadata.title = title
        if author:
            document.metadata.authors = [author]
        pdf = document.write_pdf(pdf_tags=True)
    except Exception as exc:
        raise ReportError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from None
    finally:
        logger.setLevel(level)
    if not pdf:
        raise ReportError("PDF rendering produced no output")
    return bytes(pdf)
