"""How one task is processed, as small steps:

{% if cookiecutter.response_cache %}    look up the cache -> {% else %}    {% endif %}generate -> {% if cookiecutter.human_fallback %}estimate confidence -> {% endif %}route -> record

Each step is a method (or, for the routing rule, a pure function) with plain inputs and
outputs, so a runner can call them one by one: :meth:`Pipeline.run` does it inside the
request; a durable workflow can wrap each step and retry it on its own.
"""

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

{% if cookiecutter.response_cache -%}
from .cache import CachedAnswer, CacheUnavailable, ResponseCache, key_function
{% endif -%}
{% if cookiecutter.human_fallback -%}
from .confidence import ConfidenceEstimator, wants_logprobs
{% endif -%}
from .errors import ProviderFailed
from .metrics import Metrics
from .providers import Completion, Provider, Usage, build_request, complete_with_retries
from .settings import Settings
from .store import Store, TaskRecord

log = logging.getLogger(__name__)

ReviewReason = Literal["low_confidence", "policy", "sample"]


@dataclass(frozen=True)
class Route:
    """Where an output goes: delivered or not, and why a human sees it (if at all)."""

    deliver: bool
    reason: ReviewReason | None = None


def route(
{%- if cookiecutter.human_fallback %}
    confidence: float | None,
    *,
    threshold: float,
{%- else %}
    *,
{%- endif %}
    review_all: bool,
    sample_rate: float,
    draw: float,
) -> Route:
    """The routing rule.
{%- if cookiecutter.human_fallback %}

    - Confidence below ``threshold`` (or unknown): not delivered, review ``low_confidence``.
{%- endif %}
    - ``review_all``: not delivered, review ``policy`` (every output is approved first).
    - ``draw < sample_rate``: delivered AND reviewed as ``sample``. Sampled outputs are
      delivered so the sample measures exactly what users get; a reviewer who rejects one
      withdraws it (the task becomes ``rejected``
{%- if cookiecutter.response_cache %}, its cached copy is evicted{% endif %}).
    - Otherwise: delivered.

    ``draw`` is a uniform random number in [0, 1), passed in so the rule stays pure.
    """
{%- if cookiecutter.human_fallback %}
    if confidence is None or confidence < threshold:
        return Route(deliver=False, reason="low_confidence")
{%- endif %}
    if review_all:
        return Route(deliver=False, reason="policy")
    if draw < sample_rate:
        return Route(deliver=True, reason="sample")
    return Route(deliver=True)


class Pipeline:
    """The steps, bound to the service's provider, store, metrics and patterns."""

    def __init__(
        self,
        settings: Settings,
        provider: Provider,
        store: Store,
        metrics: Metrics,
        *,
{%- if cookiecutter.human_fallback %}
        estimator: ConfidenceEstimator,
{%- endif %}
{%- if cookiecutter.response_cache %}
        cache: ResponseCache,
{%- endif %}
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.provider = provider
        self.store = store
        self.metrics = metrics
{%- if cookiecutter.human_fallback %}
        self.estimator = estimator
{%- endif %}
{%- if cookiecutter.response_cache %}
        self.cache = cache
        self._cache_key = key_function(
            provider=provider.name,
            model=provider.model,
            parameters={"temperature": settings.llm_temperature},
            namespace=cache.namespace,
        )
{%- endif %}
        self.rng = rng or random.Random()
{%- if cookiecutter.response_cache %}

    def cache_key(self, text: str) -> str:
        """Canonical key of everything that shapes the answer (``cache.canonical_key``)."""
        return self._cache_key(text)

    async def lookup_cache(self, key: str) -> CachedAnswer | None:
        """Step: a previously delivered (or human-approved) answer, if cached."""
        try:
            answer = await self.cache.get(key)
        except CacheUnavailable as error:
            log.warning("response cache unavailable, answering without it: %s", error)
            self.metrics.cache_result("error").inc()
            return None
        self.metrics.cache_result("hit" if answer else "miss").inc()
        return answer
{%- endif %}

    def _count_failed_attempt(self, kind: str) -> None:
        self.metrics.provider_failures.labels(kind=kind).inc()

    def _counter_of_usage(self, purpose: str) -> Callable[[Usage], None]:
        def count(usage: Usage) -> None:
            metrics = self.metrics
            metrics.llm_calls_purpose(purpose).inc()
            metrics.llm_tokens_kind("prompt").inc(usage.prompt_tokens)
            metrics.llm_tokens_kind("completion").inc(usage.completion_tokens)
            metrics.llm_cost.inc(usage.cost(self.settings))

        return count

    async def generate(
        self, text: str, *, temperature: float | None = None, purpose: str = "answer"
    ) -> tuple[Completion, str]:
        """Step: call the model (timeouts, retries, output check); raises ProviderFailed."""
        request = build_request(
            text,
            temperature=self.settings.llm_temperature if temperature is None else temperature,
{%- if cookiecutter.human_fallback %}
            logprobs=wants_logprobs(self.settings),
{%- endif %}
        )
        return await complete_with_retries(
            self.provider,
            request,
            self.settings,
            on_failed_attempt=self._count_failed_attempt,
            on_usage=self._counter_of_usage(purpose),
        )
{%- if cookiecutter.human_fallback %}

    async def estimate_confidence(
        self, text: str, completion: Completion, output: str
    ) -> float | None:
        """Step: the confidence of the answer (see ``confidence.py``)."""

        async def sample() -> str:
            return (await self.generate(text, temperature=0.7, purpose="confidence_sample"))[1]

        return await self.estimator.estimate(completion, output, sample)
{%- endif %}

    def decide(self{% if cookiecutter.human_fallback %}, confidence: float | None{% endif %}) -> Route:
        """Step: apply the routing rule with this service's settings."""
        return route(
{%- if cookiecutter.human_fallback %}
            confidence,
            threshold=self.settings.confidence_threshold,
{%- endif %}
            review_all=self.settings.review_all,
            sample_rate=self.settings.review_sample_rate,
            draw=self.rng.random(),
        )

    async def record(
        self,
        task_id: str | None,
        text: str,
        output: str,
        confidence: float | None,
        decision: Route,
        *,
{%- if cookiecutter.response_cache %}
        cache_key: str,
{%- endif %}
        latency_ms: float,
    ) -> TaskRecord:
        """Step: store the outcome, queue the review if any
{%- if cookiecutter.response_cache %}, cache what is delivered{% endif %}."""
        task = await self.store.finish_task(
            task_id,
            input_text=text,
            status="delivered" if decision.deliver else "needs_review",
            output=output,
            confidence=confidence,
            review_reason=decision.reason,
{%- if cookiecutter.response_cache %}
            cache_key=cache_key,
{%- endif %}
            latency_ms=latency_ms,
        )
        if decision.reason is not None:
            self.metrics.routed_reason(decision.reason).inc()
{%- if cookiecutter.response_cache %}
        if decision.deliver:
            # Outputs waiting for review are never cached; an approval caches them later.
            try:
                await self.cache.put(cache_key, CachedAnswer(output, confidence))
            except CacheUnavailable as error:
                log.warning("response cache unavailable, answer not cached: %s", error)
{%- endif %}
        return task

    async def run(self, text: str, *, task_id: str | None = None) -> TaskRecord:
        """Run every step for one task, in the request (the synchronous mode).

        ``task_id``: the task already stored as ``running`` (to hold an idempotency key);
        None stores the task once, finished.
        """
        task, _failure = await self.run_reporting(text, task_id=task_id)
        return task

    async def run_reporting(
        self, text: str, *, task_id: str | None = None
    ) -> tuple[TaskRecord, ProviderFailed | None]:
        """:meth:`run`, also returning the provider failure of a ``failed`` task."""
        started = time.perf_counter()

        def elapsed_ms() -> float:
            return (time.perf_counter() - started) * 1000
{%- if cookiecutter.response_cache %}

        key = self.cache_key(text)
        cached = await self.lookup_cache(key)
        if cached is not None:
            hit = await self.store.finish_task(
                task_id,
                input_text=text,
                status="delivered",
                output=cached.output,
                confidence=cached.confidence,
                cached=True,
                cache_key=key,
                latency_ms=elapsed_ms(),
            )
            return hit, None
{%- endif %}

        try:
{%- if cookiecutter.human_fallback %}
            completion, output = await self.generate(text)
{%- else %}
            _completion, output = await self.generate(text)
{%- endif %}
        except ProviderFailed as failure:
            log.warning("task failed: %s", failure)
            failed = await self.store.finish_task(
                task_id,
                input_text=text,
                status="failed",
                error=str(failure),
                latency_ms=elapsed_ms(),
            )
            return failed, failure
{%- if cookiecutter.human_fallback %}
        confidence = await self.estimate_confidence(text, completion, output)
        decision = self.decide(confidence)
{%- else %}
        confidence = None
        decision = self.decide()
{%- endif %}
        task = await self.record(
            task_id,
            text,
            output,
            confidence,
            decision,
{%- if cookiecutter.response_cache %}
            cache_key=key,
{%- endif %}
            latency_ms=elapsed_ms(),
        )
        return task, None
