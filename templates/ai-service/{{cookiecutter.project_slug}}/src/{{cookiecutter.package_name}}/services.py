"""Builds the service's parts from settings; the app and the eval runner share it."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from .auth import Authenticator
{% if cookiecutter.response_cache -%}
from .cache import ResponseCache
{% endif -%}
{% if cookiecutter.human_fallback -%}
from .confidence import build_estimator, describe, extra_calls_per_task
{% endif -%}
from .metrics import Metrics
from .monitoring import ErrorRateMonitor
from .pipeline import Pipeline
from .providers import Provider, build_provider
from .reviews import ReviewQueue
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: Store
    provider: Provider
    metrics: Metrics
    monitor: ErrorRateMonitor
    pipeline: Pipeline
    reviews: ReviewQueue
    auth: Authenticator
{%- if cookiecutter.response_cache %}
    cache: ResponseCache
{%- endif %}

    async def close(self) -> None:
        await self.provider.close()
{%- if cookiecutter.response_cache %}
        await self.cache.close()
{%- endif %}
        await self.store.close()


async def open_services(
    settings: Settings,
    *,
    provider: Provider | None = None,
    rng: random.Random | None = None,
) -> Services:
    """Connect the store{% if cookiecutter.response_cache %} and the cache{% endif %} and wire the pipeline."""
    store = await Store.open(settings)
    metrics = Metrics()
    monitor = ErrorRateMonitor(store, metrics, settings.max_error_rate)
    await monitor.refresh()
    provider = provider or build_provider(settings)
{%- if cookiecutter.response_cache %}
    cache = ResponseCache(settings)
    await cache.open()
{%- endif %}
{%- if cookiecutter.human_fallback %}
    estimator = build_estimator(settings)
    log.info(describe(estimator))
    metrics.confidence_estimator.labels(method=estimator.name).set(1)
    metrics.confidence_extra_calls.set(extra_calls_per_task(estimator))
{%- endif %}
    pipeline = Pipeline(
        settings,
        provider,
        store,
        metrics,
{%- if cookiecutter.human_fallback %}
        estimator=estimator,
{%- endif %}
{%- if cookiecutter.response_cache %}
        cache=cache,
{%- endif %}
        rng=rng,
    )
    reviews = ReviewQueue(
        store,
        metrics,
        monitor,
{%- if cookiecutter.response_cache %}
        cache,
{%- endif %}
        max_output_chars=settings.max_output_chars,
    )
    return Services(
        settings=settings,
        store=store,
        provider=provider,
        metrics=metrics,
        monitor=monitor,
        pipeline=pipeline,
        reviews=reviews,
        auth=Authenticator(settings, store),
{%- if cookiecutter.response_cache %}
        cache=cache,
{%- endif %}
    )


async def check_health(
    probes: Mapping[str, Callable[[], Awaitable[object]]],
) -> tuple[bool, dict[str, str]]:
    """Run each dependency's probe (5 s each): healthy overall, and "ok" or why not per name.

    The API's and the worker's ``/healthz`` both answer with this.
    """
    checks: dict[str, str] = {}
    for name, probe in probes.items():
        try:
            async with asyncio.timeout(5):
                await probe()
            checks[name] = "ok"
        except Exception as error:  # any failure means the dependency is down
            checks[name] = f"unavailable: {type(error).__name__}: {error}"[:300]
    return all(value == "ok" for value in checks.values()), checks
