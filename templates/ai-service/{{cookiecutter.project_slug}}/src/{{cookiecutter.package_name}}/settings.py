"""Every setting of the service, read from the environment (prefix ``APP_``) or ``.env``.

Defaults run the service on one machine with nothing to start: the deterministic ``fake``
provider and SQLite under ``var/``
{%- if cookiecutter.response_cache %} (and an in-memory cache){% endif %}. ``.env.example`` lists every
setting.
"""

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service settings. Each field is ``APP_<FIELD NAME>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="APP_",
        env_file=".env",
        extra="ignore",
        validate_default=True,
        use_attribute_docstrings=True,
    )

    auth: Literal["on", "off"] = "on"
    """``on``: ``/v1/*`` needs a bearer token and ``/review`` a signed-in reviewer (see
    ``auth.py``; tokens from ``token create``). ``off``: no authentication at all, for
    local development only (a warning is logged at start-up)."""

    allowed_hosts: str = "localhost,127.0.0.1,[::1]"
    """Comma-separated host names the review page answers for (its ``Host`` and, on form
    posts, ``Origin``); other names get a 400. Add the name reviewers use in production."""

    session_hours: float = Field(12.0, gt=0, le=24 * 30)
    """How long a reviewer stays signed in to the review page."""

    llm_provider: Literal["fake", "openai"] = "fake"
    """``fake``: deterministic built-in provider (offline, no key). ``openai``: any
    OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp) through the official SDK."""

    llm_base_url: str | None = None
    """Base URL of the OpenAI-compatible server, e.g. ``http://localhost:11434/v1``.
    Empty means the SDK's default (api.openai.com)."""

    llm_model: str = "gpt-4o-mini"
    """Model name sent to the provider{% if cookiecutter.response_cache %}; part of the cache key{% endif %}."""

    llm_api_key: str | None = None
    """API key for the provider. Local servers usually accept any value."""

    llm_timeout_seconds: float = Field(30.0, gt=0)
    """Timeout of one provider call. A call that takes longer counts as a failed attempt."""

    llm_max_attempts: int = Field({{ cookiecutter.max_attempts | int }}, ge=1, le=10)
    """Attempts per provider call (errors, timeouts and malformed output are retried)
    {%- if cookiecutter.async_pipeline %}; the
    assessment's ``async_pipeline.max_attempts``{% endif %}."""

    llm_backoff_seconds: float = Field({{ cookiecutter.backoff_seconds | float }}, ge=0)
    """First retry delay; it doubles on each further attempt (with a little jitter)
    {%- if cookiecutter.async_pipeline %}. The
    assessment's ``async_pipeline.backoff_seconds``{% endif %}."""

    llm_temperature: float = Field(0.0, ge=0, le=2)
    """Sampling temperature of the main answer{% if cookiecutter.response_cache %}; part of the cache key{% endif %}."""

    llm_price_input_per_million: float = Field(0.0, ge=0)
    """Price of one million prompt tokens (in your currency), for the ``*_llm_cost``
    metric. 0: cost is not tracked (the token metrics still are)."""

    llm_price_output_per_million: float = Field(0.0, ge=0)
    """Price of one million completion tokens (in your currency)."""

    fake_confidence: float = Field(0.95, ge=0, le=1)
    """Confidence the ``fake`` provider reports for every output."""

    fake_latency_ms: int = Field(0, ge=0)
    """Delay of the ``fake`` provider per call, to simulate a real model's latency."""
{%- if cookiecutter.human_fallback %}

    confidence_threshold: float = Field({{ cookiecutter.confidence_threshold | float }}, ge=0, le=1)
    """Outputs whose confidence is below this are not delivered: they wait for a reviewer."""

    confidence_method: Literal["auto", "provider", "logprobs", "self_consistency"] = "auto"
    """How confidence is estimated (see ``confidence.py``). ``auto``: the provider's own
    value when it reports one (the fake provider does), else token logprobs, else
    self-consistency."""

    self_consistency_samples: int = Field(3, ge=2, le=10)
    """Extra samples drawn by the self-consistency estimator."""
{%- endif %}

    review_sample_rate: float = Field({{ cookiecutter.review_sample_rate | float }}, ge=0, le=1)
    """Fraction of confidently delivered outputs also sent to review, as an unbiased sample
    for the production error-rate estimate. Sampled outputs are still delivered."""

    review_all: bool = {{ "True" if cookiecutter.review_all else "False" }}
    """Hold every output for review before delivery (regulated domain with expert review)."""

    max_error_rate: float = Field({{ cookiecutter.max_error_rate | float }}, ge=0, le=1)
    """Assessed maximum error rate. A warning is logged and ``*_error_rate_alert`` is 1 when
    the lower Wilson 95% bound of the reviewed error rate exceeds it."""

    eval_criteria: list[str] = [
{%- for name in cookiecutter._evaluation.criteria %}
        "{{ name }}",
{%- endfor %}
    ]
    """The assessed evaluation criteria (``evaluation.criteria`` of the assessment): the
    ones ``eval`` reports first. In the environment, a JSON list."""

    database_url: str = "sqlite:///var/app.db"
    """Task and review store. SQLite file by default; PostgreSQL with
    ``postgresql+psycopg://user:password@host:5432/dbname``."""

    database_schema: str | None = None
    """PostgreSQL only: schema for the tables (created when missing). Empty: ``public``."""
{%- if cookiecutter.response_cache %}

    cache_url: str = "mem://"
    """Response cache. ``mem://`` (in process) or ``redis://host:6379/0``."""

    cache_ttl_seconds: int = Field({{ cookiecutter.cache_ttl_seconds | int }}, ge=1)
    """How long a cached response is served."""

    cache_namespace: str = "{{ cookiecutter.package_name }}"
    """Prefix of every cache key, so several services can share one Redis database."""
{%- endif %}
{%- if cookiecutter.async_pipeline %}

    dbos_database_url: str = "sqlite:///var/jobs.db"
    """Jobs database (DBOS system database: queue, checkpoints of every job step). SQLite
    file by default (one machine); PostgreSQL for several machines, e.g.
    ``postgresql://user:password@host:5432/dbname`` (tables go to the ``dbos`` schema, so
    it may be the same database as ``APP_DATABASE_URL``)."""

    dbos_schema: str = Field("dbos", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    """PostgreSQL only: the schema of the jobs tables (created when missing)."""

    worker_id: str | None = None
    """This process's id in the jobs database; default ``serve-<hostname>`` or
    ``worker-<hostname>``. A process resumes the unfinished jobs of its own id when it
    starts, so keep it stable across restarts and unique among running processes."""

    worker_timeout_seconds: float = Field(60.0, ge=0)
    """A process whose heartbeat is older than this is taken for gone: the running ones put
    its unfinished jobs back on the queue. 0: never (use the ``recover`` command)."""

    serve_workers: bool = True
    """``serve`` also runs jobs in its own process. ``false``: the API only queues them and
    ``worker`` processes run them."""

    worker_concurrency: int = Field(8, ge=1)
    """Jobs one process runs at the same time."""

    queue_concurrency: int = Field(0, ge=0)
    """Jobs running at the same time over all processes. 0: no limit beyond each
    process's ``APP_WORKER_CONCURRENCY``."""

    provider_rate_limit: int = Field(0, ge=0)
    """At most this many jobs start per ``APP_PROVIDER_RATE_PERIOD_SECONDS`` over all
    processes (the model provider's rate limit). 0: no limit."""

    provider_rate_period_seconds: float = Field(1.0, gt=0)
    """The window of ``APP_PROVIDER_RATE_LIMIT``."""

    queue_poll_seconds: float = Field(0.2, gt=0, le=60)
    """How often a worker looks for queued jobs."""
{%- endif %}

    log_format: Literal["json", "text"] = "json"
    """``json``: one JSON object per log line, with the request id (``logs.py``).
    ``text``: plain lines for reading in a terminal."""

    otel_enabled: bool = False
    """Send OpenTelemetry traces (a span per HTTP request) over OTLP/HTTP to
    ``OTEL_EXPORTER_OTLP_ENDPOINT``. Needs the ``otel`` extra; off: the OpenTelemetry SDK
    is not even imported."""

    otel_service_name: str = "{{ cookiecutter.project_slug }}"
    """The ``service.name`` of the traces."""

    max_input_chars: int = Field(20_000, ge=1)
    """Longest accepted task input, in characters. Longer inputs get HTTP 422."""

    max_output_chars: int = Field(20_000, ge=1)
    """Longest output a reviewer may enter as an edit, in characters. Longer: HTTP 422."""

    max_body_bytes: int = Field(1_000_000, ge=1024)
    """Largest accepted request body. Larger bodies get HTTP 413."""

    @property
    def allowed_host_names(self) -> frozenset[str]:
        return frozenset(
            name.strip().lower() for name in self.allowed_hosts.split(",") if name.strip()
        )

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str) -> str:
        """Accept plain SQLAlchemy URLs (and async driver names) and pick the driver the
        store uses: the standard ``sqlite3`` module, or psycopg 3 for PostgreSQL."""
        scheme, separator, rest = url.partition("://")
        dialect = scheme.partition("+")[0]
        if separator and dialect == "sqlite":
            return f"sqlite+pysqlite://{rest}"
        if separator and dialect in ("postgresql", "postgres"):
            return f"postgresql+psycopg://{rest}"
        return url
