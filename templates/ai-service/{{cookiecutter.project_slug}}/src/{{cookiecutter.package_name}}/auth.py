"""Who may call what: bearer tokens for the API, a signed-in session for the review page.

- ``<script> token create --name NAME --role client|reviewer|admin`` prints a new token
  (only its SHA-256 is stored). Clients send ``Authorization: Bearer <token>`` on
  ``/v1/*``: no or an unknown token is a 401, a token whose role may not use the route a
  403. ``client`` tokens create and read tasks; ``reviewer`` tokens read tasks and decide
  reviews; ``admin`` tokens may do everything.
- ``/review`` asks a reviewer (or admin) for their token once and keeps a session cookie
  (``HttpOnly``, ``SameSite=Strict``); every form carries the session's CSRF token, and the
  page answers only for the host names in ``APP_ALLOWED_HOSTS`` (no DNS rebinding).
- ``APP_AUTH=off`` turns all of it off, for local development only: a warning is logged at
  start-up and every caller is an admin named ``anonymous``.
"""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from fastapi import HTTPException, Request
from sqlalchemy import delete, insert, select

from .models import ApiToken, ReviewerSession, now
from .settings import Settings
from .store import Store, make_engine, upgrade_database

log = logging.getLogger(__name__)

Role = Literal["client", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("client", "reviewer", "admin")
TOKEN_PREFIX = "aisvc_"
"""Marks the service's tokens, for secret scanners and for people."""
NAME_MAX_CHARS = 100
SESSION_COOKIE = "review_session"
CACHE_SECONDS = 30.0
"""A verified token is trusted this long without asking the database again."""


@dataclass(frozen=True)
class Principal:
    """The caller: the token's name (a person or a client system) and role."""

    name: str
    role: str


ANONYMOUS = Principal("anonymous", "admin")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvalidTokenRequest(ValueError):
    """A name or role ``token create`` cannot accept."""


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidTokenRequest("--name: must not be empty")
    if len(name) > NAME_MAX_CHARS:
        raise InvalidTokenRequest(f"--name: at most {NAME_MAX_CHARS} characters")
    if any(not char.isprintable() for char in name):
        raise InvalidTokenRequest("--name: control characters are not allowed")
    return name


def create_token(settings: Settings, name: str, role: str) -> str:
    """Store a new token for ``name`` with ``role`` and return it (shown once).

    Raises:
        InvalidTokenRequest: empty or too long name, unknown role.
    """
    name = check_name(name)
    if role not in ROLES:
        raise InvalidTokenRequest(f"--role: must be one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    engine = make_engine(settings)
    try:
        upgrade_database(engine, settings)
        with engine.begin() as connection:
            connection.execute(
                insert(ApiToken),
                {
                    "id": secrets.token_hex(16),
                    "name": name,
                    "role": role,
                    "token_hash": token_hash(token),
                    "created_at": now(),
                },
            )
    finally:
        engine.dispose()
    return token


class Authenticator:
    """Checks bearer tokens and review sessions against the store."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.enabled = settings.auth == "on"
        self.settings = settings
        self.store = store
        self._verified: dict[str, tuple[float, Principal]] = {}

    async def from_token(self, token: str) -> Principal | None:
        digest = token_hash(token)
        cached = self._verified.get(digest)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        query = select(ApiToken.name, ApiToken.role).where(ApiToken.token_hash == digest)
        row = await self.store.run(lambda connection: connection.execute(query).first())
        if row is None:
            self._verified.pop(digest, None)
            return None
        principal = Principal(row.name, row.role)
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[digest] = (time.monotonic(), principal)
        return principal

    async def require(self, request: Request, roles: tuple[str, ...]) -> Principal:
        """The caller of an API route; 401 without a valid token, 403 for another role."""
        if not self.enabled:
            return ANONYMOUS
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = None
        if scheme.lower() == "bearer" and token.strip():
            principal = await self.from_token(token.strip())
        if principal is None:
            raise HTTPException(
                401,
                "a valid token is needed: Authorization: Bearer <token> "
                "(create one with the `token create` command)",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        if principal.role not in roles and principal.role != "admin":
            raise HTTPException(
                403, f"the role {principal.role!r} may not do this (needs {' or '.join(roles)})"
            )
        return principal

    # The review page's sessions

    async def start_session(self, principal: Principal) -> tuple[str, str]:
        """A new session for a signed-in reviewer: (cookie value, CSRF token)."""
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now() + timedelta(hours=self.settings.session_hours)
        values = {
            "id_hash": token_hash(session_id),
            "name": principal.name,
            "role": principal.role,
            "csrf_token": csrf,
            "expires_at": expires,
        }

        def write(connection) -> None:
            connection.execute(delete(ReviewerSession).where(ReviewerSession.expires_at < now()))
            connection.execute(insert(ReviewerSession), values)

        await self.store.run(write)
        return session_id, csrf

    async def session(self, request: Request) -> tuple[Principal, str] | None:
        """The signed-in reviewer and the session's CSRF token, or None."""
        if not self.enabled:
            return ANONYMOUS, "auth-off"
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return None
        query = select(
            ReviewerSession.name,
            ReviewerSession.role,
            ReviewerSession.csrf_token,
            ReviewerSession.expires_at,
        ).where(ReviewerSession.id_hash == token_hash(session_id))
        row = await self.store.run(lambda connection: connection.execute(query).first())
        if row is None:
            return None
        expires = row.expires_at
        if expires.tzinfo is None:  # SQLite keeps no time zone; the values are UTC
            expires = expires.replace(tzinfo=now().tzinfo)
        if expires < now():
            return None
        return Principal(row.name, row.role), row.csrf_token

    async def end_session(self, request: Request) -> None:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            statement = delete(ReviewerSession).where(
                ReviewerSession.id_hash == token_hash(session_id)
            )
            await self.store.run(lambda connection: connection.execute(statement))


def warn_if_off(settings: Settings) -> None:
    if settings.auth == "off":
        log.warning(
            "\n%s\nAPP_AUTH=off: NO AUTHENTICATION. Anyone who reaches this port can read every "
            "input, decide reviews and change answers. For local development only.\n%s",
            "!" * 78,
            "!" * 78,
        )
