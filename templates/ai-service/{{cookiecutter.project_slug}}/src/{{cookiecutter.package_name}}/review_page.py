"""The reviewers' web page: sign in, list, detail, approve, edit, reject. Plain HTML forms.

Built for a day of reviewing: the list shows each output with its age and reason, how many
are waiting, a filter by reason, oldest or newest first, and pages of ``PAGE_SIZE``. A
reject asks for confirmation; after a decision the next waiting item opens. Outputs of
code-like task kinds are shown in a monospace font. The page fits a 390 px wide phone.

Templates live in ``review_templates/`` and are rendered with autoescaping, so inputs and
model outputs are shown as text, never as markup.

Who may use it (``auth.py``): a reviewer signs in once with their token and gets a session
cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS). Every form carries the
session's CSRF token. The page answers only for the host names in ``APP_ALLOWED_HOSTS``,
and a form post whose ``Origin`` (or ``Referer``) names another host is refused: both are
checked against that list, never against the request's own ``Host`` header, which a DNS
rebinding attacker controls.
"""

import hmac
import math
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from . import USE_CASE, task
from .auth import SESSION_COOKIE, Principal
from .reviews import InvalidDecision
from .store import ReviewAlreadyDecided, ReviewPage

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
"""Reviews per page of the list."""
REASONS = ("low_confidence", "policy", "sample")
"""Why an output waits for review (the list's filter)."""
SORTS = ("oldest", "newest")
MONOSPACE_KINDS = frozenset({"code_generation", "extraction", "agentic_workflow"})
"""Task kinds whose outputs are code or JSON: shown in a monospace font."""


def age(created: datetime, now: datetime | None = None) -> str:
    """How long an item has waited, in one short unit (``45 s``, ``12 min``, ``3 h``, ``2 d``)."""
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def view_query(reason: str | None, sort: str, **extra: object) -> str:
    """The list's filter as a query string (without defaults), ``?`` included when any."""
    values = {key: value for key, value in extra.items() if value is not None}
    if reason is not None:
        values["reason"] = reason
    if sort != "oldest":
        values["sort"] = sort
    return f"?{urlencode(values)}" if values else ""


def _view(reason: str | None, sort: str | None) -> tuple[str | None, str]:
    return (reason if reason in REASONS else None, sort if sort in SORTS else "oldest")


_templates = Environment(
    loader=PackageLoader(__package__ or __name__.rpartition(".")[0], "review_templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def _render(name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    html = _templates.get_template(name).render(
        use_case=USE_CASE,
        task_type=task.TASK_TYPE,
        monospace=task.TASK_TYPE in MONOSPACE_KINDS,
        age=age,
        view_query=view_query,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    )
    return response


def _host_name(netloc: str) -> str:
    """``host[:port]`` -> ``host`` (lower case; IPv6 literals keep their brackets)."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc.partition("]")[0] + "]"
    return netloc.partition(":")[0]


def _refusal(request: Request, *, posting: bool) -> HTMLResponse | None:
    """A 400/403 page when the request's host or (for posts) origin is not allowed."""
    allowed = request.app.state.services.settings.allowed_host_names
    if _host_name(request.headers.get("host", "")) not in allowed:
        return HTMLResponse("Host not allowed: add it to APP_ALLOWED_HOSTS.", status_code=400)
    if posting:
        source = request.headers.get("origin") or request.headers.get("referer")
        if source is not None and (
            source == "null" or _host_name(urlsplit(source).netloc) not in allowed
        ):
            return HTMLResponse("Cross-origin form submission refused.", status_code=403)
    return None


async def _signed_in(request: Request) -> tuple[Principal, str] | None:
    found = await request.app.state.services.auth.session(request)
    if found is None or found[0].role not in ("reviewer", "admin"):
        return None
    return found


def _to_login() -> RedirectResponse:
    return RedirectResponse("/review/login", status_code=303)


@router.get("/review/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    if (refused := _refusal(request, posting=False)) is not None:
        return refused
    return _render("review_login.html", message=None)


@router.post("/review/login", response_model=None)
async def login(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> Response:
    if (refused := _refusal(request, posting=True)) is not None:
        return refused
    auth = request.app.state.services.auth
    principal = await auth.from_token(token.strip()) if token.strip() else None
    if principal is None or principal.role not in ("reviewer", "admin"):
        message = "That token is unknown or is not a reviewer's."
        return _render("review_login.html", status_code=401, message=message)
    session_id, _csrf = await auth.start_session(principal)
    response = RedirectResponse("/review", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(request.app.state.services.settings.session_hours * 3600),
        path="/review",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/review/logout", response_model=None)
async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    if (refused := _refusal(request, posting=True)) is not None:
        return refused
    signed_in = await _signed_in(request)
    if signed_in is not None and hmac.compare_digest(csrf, signed_in[1]):
        await request.app.state.services.auth.end_session(request)
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE, path="/review")
    return response


@router.get("/review", response_class=HTMLResponse, response_model=None)
async def review_list(
    request: Request,
    done: str | None = None,
    reason: str | None = None,
    sort: str | None = None,
    page: str | None = None,
) -> Response:
    if (refused := _refusal(request, posting=False)) is not None:
        return refused
    signed_in = await _signed_in(request)
    if signed_in is None:
        return _to_login()
    reviewer, csrf = signed_in
    services = request.app.state.services
    reason, sort = _view(reason, sort)
    number = int(page) if page is not None and page.isdigit() and 0 < len(page) < 7 else 1
    number = max(number, 1)

    async def read(number: int) -> ReviewPage:
        return await services.reviews.page(
            reason=reason,
            newest_first=sort == "newest",
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )

    listed = await read(number)
    pages = max(1, math.ceil(listed.total / PAGE_SIZE))
    if number > pages:  # past the end (the queue shrank): the last page
        number = pages
        listed = await read(number)
    error_rate = await services.monitor.refresh()  # verdicts given on other instances count too
    return _render(
        "review_list.html",
        items=listed.items,
        total=listed.total,
        by_reason=listed.by_reason,
        waiting=sum(listed.by_reason.values()),
        reasons=REASONS,
        reason=reason,
        sort=sort,
        page=number,
        pages=pages,
        now=datetime.now(UTC),
        done=_done(done),
        error_rate=error_rate,
        reviewer=reviewer,
        csrf=csrf,
    )


def _done(done: str | None) -> str | None:
    return done if done in ("approved", "edited", "rejected") else None


@router.get("/review/{review_id}", response_class=HTMLResponse, response_model=None)
async def review_detail(
    review_id: str,
    request: Request,
    done: str | None = None,
    reason: str | None = None,
    sort: str | None = None,
) -> Response:
    if (refused := _refusal(request, posting=False)) is not None:
        return refused
    signed_in = await _signed_in(request)
    if signed_in is None:
        return _to_login()
    reviewer, csrf = signed_in
    item = await request.app.state.services.reviews.get(review_id)
    if item is None:
        return _render(
            "review_missing.html",
            status_code=404,
            review_id=review_id,
            reviewer=reviewer,
            csrf=csrf,
        )
    reason, sort = _view(reason, sort)
    return _render(
        "review_detail.html",
        item=item,
        message=None,
        confirm_reject=False,
        done=_done(done),
        reason=reason,
        sort=sort,
        now=datetime.now(UTC),
        reviewer=reviewer,
        csrf=csrf,
    )


@router.post("/review/{review_id}", response_model=None)
async def review_decide(
    review_id: str,
    request: Request,
    action: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    output: Annotated[str | None, Form()] = None,
    confirm: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form()] = None,
    sort: Annotated[str | None, Form()] = None,
) -> Response:
    if (refused := _refusal(request, posting=True)) is not None:
        return refused
    signed_in = await _signed_in(request)
    if signed_in is None:
        return _to_login()
    reviewer, expected_csrf = signed_in
    if not hmac.compare_digest(csrf.encode(), expected_csrf.encode()):
        return HTMLResponse(
            "Form expired or forged (CSRF token mismatch): reload the page.", status_code=403
        )
    reviews = request.app.state.services.reviews
    if action not in ("approve", "edit", "reject"):
        return HTMLResponse("Unknown action.", status_code=422)
    reason, sort = _view(reason, sort)
    page = {"reviewer": reviewer, "csrf": expected_csrf}
    detail = {"reason": reason, "sort": sort, "now": datetime.now(UTC), "done": None}
    if action == "reject" and confirm != "yes":
        item = await reviews.get(review_id)
        if item is None:
            return _render("review_missing.html", status_code=404, review_id=review_id, **page)
        if item.review.status == "pending":  # a decided one gets the 409 below
            return _render(
                "review_detail.html", item=item, message=None, confirm_reject=True, **detail, **page
            )
    try:
        review, _task = await reviews.decide(review_id, action, output, by=reviewer.name)
    except LookupError:
        return _render("review_missing.html", status_code=404, review_id=review_id, **page)
    except (InvalidDecision, ReviewAlreadyDecided) as error:
        item = await reviews.get(review_id)
        message = (
            "This review was already decided."
            if isinstance(error, ReviewAlreadyDecided)
            else f"Not saved: {error}."
        )
        status = 409 if isinstance(error, ReviewAlreadyDecided) else 422
        return _render(
            "review_detail.html",
            status_code=status,
            item=item,
            message=message,
            confirm_reject=False,
            **detail,
            **page,
        )
    # the next waiting item in the reviewer's view, or the list when none is left
    following = await reviews.page(reason=reason, newest_first=sort == "newest", limit=1)
    query = view_query(reason, sort, done=review.status)
    if following.items:
        return RedirectResponse(f"/review/{following.items[0].review.id}{query}", status_code=303)
    return RedirectResponse(f"/review{query}", status_code=303)
