"""The response cache (cashews): in memory by default, Redis with ``APP_CACHE_URL``.

Keyed on a canonical hash of provider, model, prompt version, task type, input and
generation parameters. Only delivered outputs are stored: an output waiting for review is
never cached; once a reviewer approves (or edits) it, it is. A rejected output is evicted.
Values are JSON (no pickle), so a shared Redis cannot inject objects into the service.
"""

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from cashews import Cache
from cashews.exceptions import CacheBackendInteractionError

from . import task
from .settings import Settings

log = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """The cache backend could not be reached; callers treat it as a miss."""


_BACKEND_ERRORS = (CacheBackendInteractionError, OSError, TimeoutError)


@dataclass(frozen=True)
class CachedAnswer:
    output: str
    confidence: float | None


def canonical_key(
    *, provider: str, model: str, input_text: str, parameters: dict, namespace: str
) -> str:
    """``<namespace>:response:<sha256>`` of the canonical JSON (sorted keys, no spaces) of
    all that shapes the answer: provider, model, prompt version, task type, input and
    generation parameters."""
    key = key_function(provider=provider, model=model, parameters=parameters, namespace=namespace)
    return key(input_text)


def key_function(
    *, provider: str, model: str, parameters: dict, namespace: str
) -> Callable[[str], str]:
    """:func:`canonical_key` with all but the input fixed; the JSON of the fixed part is
    built once (``"input"`` sorts first, so the canonical JSON is its field, then them)."""
    fixed = {
        "provider": provider,
        "model": model,
        "prompt_version": task.PROMPT_VERSION,
        "task_type": task.TASK_TYPE,
        "parameters": parameters,
    }
    assert all(name > "input" for name in fixed)
    rest = json.dumps(fixed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    head, tail, prefix = '{"input":', "," + rest[1:], f"{namespace}:response:"

    def key(input_text: str) -> str:
        canonical = head + json.dumps(input_text, ensure_ascii=False) + tail
        return prefix + hashlib.sha256(canonical.encode()).hexdigest()

    return key


class ResponseCache:
    """Get, put and evict answers.

    Backend failures raise :class:`CacheUnavailable`; the pipeline then serves the request
    without the cache (a miss), logs and counts it, and ``/healthz`` reports the cache down.

    Reads and writes go to the cashews backend that ``Cache.setup`` returns, not through the
    ``Cache`` wrapper: its per-call middleware chain serves features this service does not
    use (invalidation, callbacks) and costs more than the lookup itself. The one it does use,
    connecting on first use when the backend was down at start-up, is :meth:`_ready`.
    """

    def __init__(self, settings: Settings) -> None:
        self.ttl = settings.cache_ttl_seconds
        self.namespace = settings.cache_namespace
        self._cache = Cache()
        # JSON values, and no repr() of each value read (a check meant for pickles).
        options: dict = {"pickle_type": "json", "check_repr": False}
        if settings.cache_url.startswith(("redis://", "rediss://")):
            # Raise errors instead of hiding them, and give up quickly when Redis is down.
            options |= {"suppress": False, "socket_connect_timeout": 1, "socket_timeout": 1}
        self._backend = self._cache.setup(settings.cache_url, **options)
        self._connecting = asyncio.Lock()
        self.url = settings.cache_url

    async def open(self) -> None:
        try:
            await self._cache.init()
        except _BACKEND_ERRORS as error:
            log.error("response cache %s is not reachable: %s", self.url, error)

    async def close(self) -> None:
        await self._cache.close()

    async def ping(self) -> None:
        """Raise when the cache backend cannot be reached."""
        await self._ready()
        await self._backend.ping()

    async def _ready(self) -> None:
        if not self._backend.is_init:
            async with self._connecting:
                if not self._backend.is_init:
                    await self._backend.init()

    async def get(self, key: str) -> CachedAnswer | None:
        try:
            if not self._backend.is_init:
                await self._ready()
            value = await self._backend.get(key)
        except _BACKEND_ERRORS as error:
            raise CacheUnavailable(str(error) or type(error).__name__) from error
        if not isinstance(value, dict) or not isinstance(value.get("output"), str):
            return None
        return CachedAnswer(output=value["output"], confidence=value.get("confidence"))

    async def put(self, key: str, answer: CachedAnswer) -> None:
        value = {"output": answer.output, "confidence": answer.confidence}
        try:
            if not self._backend.is_init:
                await self._ready()
            await self._backend.set(key, value, expire=self.ttl)
        except _BACKEND_ERRORS as error:
            raise CacheUnavailable(str(error) or type(error).__name__) from error

    async def evict(self, key: str) -> None:
        try:
            await self._ready()
            await self._backend.delete(key)
        except _BACKEND_ERRORS as error:
            raise CacheUnavailable(str(error) or type(error).__name__) from error
