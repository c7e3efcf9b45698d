"""The reviewers' web page: list, detail, approve, edit, reject. Plain HTML forms.

Templates live in ``review_templates/`` and are rendered with autoescaping, so inputs and
model outputs are shown as text, never as markup. Form posts from another origin are refused
(a cheap guard against cross-site form submission when the page sits behind a login).
"""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from . import USE_CASE
from .reviews import InvalidDecision
from .store import ReviewAlreadyDecided

router = APIRouter(include_in_schema=False)

_templates = Environment(
    loader=PackageLoader(__package__ or __name__.rpartition(".")[0], "review_templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def _render(name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    html = _templates.get_template(name).render(use_case=USE_CASE, **context)
    return HTMLResponse(html, status_code=status_code)


def _same_origin(request: Request) -> bool:
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    return urlsplit(source).netloc == request.headers.get("host", request.url.netloc)


@router.get("/review", response_class=HTMLResponse)
async def review_list(request: Request, done: str | None = None) -> HTMLResponse:
    services = request.app.state.services
    items = await services.reviews.list("pending")
    error_rate = await services.monitor.refresh()  # verdicts given on other instances count too
    return _render("review_list.html", items=items, done=done, error_rate=error_rate)


@router.get("/review/{review_id}", response_class=HTMLResponse)
async def review_detail(review_id: str, request: Request) -> HTMLResponse:
    item = await request.app.state.services.reviews.get(review_id)
    if item is None:
        return _render("review_missing.html", status_code=404, review_id=review_id)
    return _render("review_detail.html", item=item, message=None)


@router.post("/review/{review_id}", response_model=None)
async def review_decide(
    review_id: str,
    request: Request,
    action: Annotated[str, Form()],
    output: Annotated[str | None, Form()] = None,
) -> Response:
    if not _same_origin(request):
        return HTMLResponse("Cross-origin form submission refused.", status_code=403)
    reviews = request.app.state.services.reviews
    if action not in ("approve", "edit", "reject"):
        return HTMLResponse("Unknown action.", status_code=422)
    try:
        review, _task = await reviews.decide(review_id, action, output)
    except LookupError:
        return _render("review_missing.html", status_code=404, review_id=review_id)
    except (InvalidDecision, ReviewAlreadyDecided) as error:
        item = await reviews.get(review_id)
        message = (
            "This review was already decided."
            if isinstance(error, ReviewAlreadyDecided)
            else "An edit needs the corrected output."
        )
        status = 409 if isinstance(error, ReviewAlreadyDecided) else 422
        return _render("review_detail.html", status_code=status, item=item, message=message)
    return RedirectResponse(f"/review?done={review.status}", status_code=303)
