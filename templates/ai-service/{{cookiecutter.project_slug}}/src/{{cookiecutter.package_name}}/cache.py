"""The response cache (cashews): in memory by default, Redis with ``APP_CACHE_URL``.

Keyed on a canonical hash of provider, model, prompt version, task type, input and
generation parameters. Only delivered outputs are stored: an output waiting for review is
never cached; once a reviewer approves (or edits) it, it is. A rejected output is evicted.
Values are JSON (no pickle), so a shared Redis cannot inject objects into the service.
"""

import hashlib
import json
import logging
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
    """``<namespace>:response:<sha256>`` of the canonical JSON of all that shapes the answer."""
    material = {
        "provider": provider,
        "model": model,
        "prompt_version": task.PROMPT_VERSION,
        "task_type": task.TASK_TYPE,
        "input": input_text,
        "parameters": parameters,
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{namespace}:response:{hashlib.sha256(canonical.encode()).hexdigest()}"


class ResponseCache:
    """Get, put and evict answers.

    Backend failures raise :class:`CacheUnavailable`; the pipeline then serves the request
    without the cache (a miss), logs and counts it, and ``/healthz`` reports the cache down.
    """

    def __init__(self, settings: Settings) -> None:
        self.ttl = settings.cache_ttl_seconds
        self.namespace = settings.cache_namespace
        self._cache = Cache()
        options: dict = {"pickle_type": "json"}
        if settings.cache_url.startswith(("redis://", "rediss://")):
            # Raise errors instead of hiding them, and give up quickly when Redis is down.
            options |= {"suppress": False, "socket_connect_timeout": 1, "socket_timeout": 1}
        self._cache.setup(settings.cache_url, **options)
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
        await self._cache.ping()

    async def get(self, key: str) -> CachedAnswer | None:
        try:
            value = await self._cache.get(key)
        except _BACKEND_ERRORS as error:
            raise CacheUnavailable(str(error) or type(error).__name__) from error
        if not isinstance(value, dict) or not isinstance(value.get("output"), str):
            return None
        return CachedAnswer(output=value["output"], confidence=value.get("confidence"))

    async def put(self, key: str, answer: CachedAnswer) -> None:
        value = {"output": answer.output, "confidence": answer.confidence}
        try:
            await self._cache.set(key, value, expire=self.ttl)
        except _BACKEND_ERRORS as error:
            raise CacheUnavailable(str(error) or type(error).__name__) from error

    async def evict(self, key: str) -> None:
        try:
            await self._cache.delete(key)
        except _BACKEND_ERRORS as error:
            raise CacheUnavailable(str(error) or type(error).__name__) from error
