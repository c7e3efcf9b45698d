"""Prometheus metrics, served at ``/metrics``. One registry per app instance."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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

    def render(self) -> bytes:
        return generate_latest(self.registry)
