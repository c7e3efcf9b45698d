"""Prometheus metrics, served at ``/metrics``. One registry per app instance."""

from collections.abc import Callable
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase

M = TypeVar("M", bound=MetricWrapperBase)

PREFIX = "{{ cookiecutter.package_name }}"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            f"{PREFIX}_requests",
            "Task requests by outcome: delivered, needs_review, failed, invalid.",
            ["outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_request_latency_seconds",
            "Time to answer POST /v1/tasks, by outcome.",
            ["outcome"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self.llm_calls = Counter(
            f"{PREFIX}_llm_calls",
            "Provider calls that returned an answer, by purpose: answer, confidence_sample. "
            "Per task: divide by the tasks answered.",
            ["purpose"],
            registry=registry,
        )
        self.llm_tokens = Counter(
            f"{PREFIX}_llm_tokens",
            "Tokens the provider reported (usage), by kind: prompt, completion. Per task: "
            "divide by the tasks answered.",
            ["kind"],
            registry=registry,
        )
        self.llm_cost = Counter(
            f"{PREFIX}_llm_cost",
            "Cost of the provider calls at APP_LLM_PRICE_*_PER_MILLION (currency units).",
            registry=registry,
        )
        self.provider_failures = Counter(
            f"{PREFIX}_provider_failed_attempts",
            "Provider attempts that failed (and were retried or gave up), by kind.",
            ["kind"],
            registry=registry,
        )
{%- if cookiecutter.response_cache %}
        self.cache = Counter(
            f"{PREFIX}_cache_lookups",
            "Response cache lookups by result: hit, miss, error (backend unreachable).",
            ["result"],
            registry=registry,
        )
{%- endif %}
{%- if cookiecutter.async_pipeline %}
        self.jobs = Gauge(
            f"{PREFIX}_jobs",
            "Tasks by status over all processes (queued = the queue's depth), read at scrape.",
            ["status"],
            registry=registry,
        )
        self.job_latency = Histogram(
            f"{PREFIX}_job_latency_seconds",
            "Time from POST /v1/tasks to the job's outcome, by outcome (jobs run here).",
            ["outcome"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 86400),
            registry=registry,
        )
        self.jobs_finished = Counter(
            f"{PREFIX}_jobs_finished",
            "Jobs finished in this process, by outcome (failed = provider gave up).",
            ["outcome"],
            registry=registry,
        )
        self.jobs_resumed = Counter(
            f"{PREFIX}_jobs_resumed",
            "Jobs resumed in this process after the process that ran them stopped.",
            registry=registry,
        )
{%- endif %}
{%- if cookiecutter.human_fallback %}
        self.confidence_estimator = Gauge(
            f"{PREFIX}_confidence_estimator",
            "The confidence estimator in use (label method; value 1), set at start-up.",
            ["method"],
            registry=registry,
        )
        self.confidence_extra_calls = Gauge(
            f"{PREFIX}_confidence_extra_calls_per_task",
            "Extra provider calls the confidence estimator makes per task (self-consistency).",
            registry=registry,
        )
{%- endif %}
        self.routed_to_human = Counter(
            f"{PREFIX}_routed_to_human",
            "Outputs sent to human review, by reason: low_confidence, policy, sample.",
            ["reason"],
            registry=registry,
        )
        self.review_verdicts = Counter(
            f"{PREFIX}_review_verdicts",
            "Reviewer decisions by verdict (approved, edited, rejected) and review reason.",
            ["verdict", "reason"],
            registry=registry,
        )
        self.error_rate = Gauge(
            f"{PREFIX}_error_rate_estimate",
            "Share of reviewed sample/policy outputs that reviewers edited or rejected.",
            registry=registry,
        )
        self.error_rate_lower = Gauge(
            f"{PREFIX}_error_rate_lower",
            "Lower bound of the Wilson 95% interval of the error rate.",
            registry=registry,
        )
        self.error_rate_upper = Gauge(
            f"{PREFIX}_error_rate_upper",
            "Upper bound of the Wilson 95% interval of the error rate.",
            registry=registry,
        )
        self.error_rate_reviews = Gauge(
            f"{PREFIX}_error_rate_reviews",
            "Number of reviewer verdicts behind the error-rate estimate.",
            registry=registry,
        )
        self.error_rate_max = Gauge(
            f"{PREFIX}_error_rate_max",
            "Assessed maximum error rate (APP_MAX_ERROR_RATE).",
            registry=registry,
        )
        self.error_rate_alert = Gauge(
            f"{PREFIX}_error_rate_alert",
            "1 when the lower Wilson bound exceeds the assessed maximum error rate, else 0.",
            registry=registry,
        )

        # The request path counts through these: ``labels()`` validates and locks on every
        # call, a looked-up child is a plain object.
        self.request_outcome = by_label(self.requests)
        self.latency_outcome = by_label(self.latency)
{%- if cookiecutter.response_cache %}
        self.cache_result = by_label(self.cache)
{%- endif %}
        self.routed_reason = by_label(self.routed_to_human)
        self.llm_calls_purpose = by_label(self.llm_calls)
        self.llm_tokens_kind = by_label(self.llm_tokens)

    def count_request(self, outcome: str, seconds: float | None = None) -> None:
        """One ``POST /v1/tasks`` with this outcome (and its latency, when it has one)."""
        self.request_outcome(outcome).inc()
        if seconds is not None:
            self.latency_outcome(outcome).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def by_label(metric: M) -> Callable[[str], M]:
    """``metric.labels(value)`` for a metric with one label, remembered per value."""
    children: dict[str, M] = {}

    def child(value: str) -> M:
        found = children.get(value)
        if found is None:
            found = children[value] = metric.labels(value)
        return found

    return child
