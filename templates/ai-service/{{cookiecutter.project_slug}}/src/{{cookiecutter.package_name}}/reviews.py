"""The review queue: what reviewers see and what their decisions do.

Outputs reach the queue from ``pipeline.route``: low confidence (not delivered), policy
(every output, not delivered until approved) and the random sample (delivered, reviewed to
measure the error rate). A decision:

{% if cookiecutter.response_cache -%}
- approve: the task is delivered with the model's output; the output is cached.
- edit: the task is delivered with the reviewer's output; that output is cached.
- reject: the task becomes rejected (no output is shown); any cached copy is evicted.
{%- else -%}
- approve: the task is delivered with the model's output.
- edit: the task is delivered with the reviewer's output.
- reject: the task becomes rejected (no output is shown).
{%- endif %}

Every verdict feeds the production error-rate estimate (``monitoring.py``).
"""

import logging

{% if cookiecutter.async_pipeline -%}
from . import jobs
{% endif -%}
from . import task as task_kind
{% if cookiecutter.response_cache -%}
from .cache import CachedAnswer, CacheUnavailable, ResponseCache
{% endif -%}
from .errors import MalformedOutput
from .metrics import Metrics
from .monitoring import ErrorRateMonitor
from .store import ReviewItem, ReviewPage, ReviewRecord, Store, TaskRecord

log = logging.getLogger(__name__)


class InvalidDecision(ValueError):
    """The decision is incomplete (an edit without an output)."""


class ReviewQueue:
    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        monitor: ErrorRateMonitor,
{%- if cookiecutter.response_cache %}
        cache: ResponseCache,
{%- endif %}
        *,
        max_output_chars: int,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.monitor = monitor
        self.max_output_chars = max_output_chars
{%- if cookiecutter.response_cache %}
        self.cache = cache
{%- endif %}

    async def list(self, status: str | None = "pending", limit: int = 100) -> list[ReviewItem]:
        return await self.store.list_reviews(status, limit)

    async def page(
        self,
        *,
        reason: str | None = None,
        newest_first: bool = False,
        offset: int = 0,
        limit: int = 100,
    ) -> ReviewPage:
        """A page of the pending reviews (the review page's list)."""
        return await self.store.page_reviews(
            "pending", reason=reason, newest_first=newest_first, offset=offset, limit=limit
        )

    async def get(self, review_id: str) -> ReviewItem | None:
        return await self.store.get_review(review_id)

    async def decide(
        self, review_id: str, action: str, output: str | None = None, *, by: str
    ) -> tuple[ReviewRecord, TaskRecord]:
        """Apply ``by``'s decision. Raises LookupError (no such review), then
        InvalidDecision (an edit that fails the task's output check, is blank or too long;
        an output given with approve or reject) or ReviewAlreadyDecided.

        An edited output goes through ``task.parse_output``, the check every model answer
        passes, so an edit can never deliver (or cache) what the model could not.
        """
        if await self.store.get_review(review_id) is None:
            raise LookupError(review_id)
        checked = None
        if action != "edit":
            if output is not None:
                raise InvalidDecision(f"only an edit takes an output, not {action}")
        elif not (output and output.strip()):
            raise InvalidDecision("an edit needs the corrected output")
        elif len(output) > self.max_output_chars:
            raise InvalidDecision(
                f"{len(output)} characters, more than the maximum of {self.max_output_chars} "
                "(APP_MAX_OUTPUT_CHARS)"
            )
        else:
            try:
                checked = task_kind.parse_output(output)
            except MalformedOutput as error:
                raise InvalidDecision(f"not a valid output for this task: {error}") from None
        review, task = await self.store.decide_review(review_id, action, checked, by=by)
        self.metrics.review_verdicts.labels(verdict=review.status, reason=review.reason).inc()
{%- if cookiecutter.response_cache %}
        if task.cache_key:
            try:
                if task.status == "delivered" and task.output is not None:
                    await self.cache.put(task.cache_key, CachedAnswer(task.output, task.confidence))
                else:
                    await self.cache.evict(task.cache_key)
            except CacheUnavailable as error:
                log.warning("response cache unavailable after review %s: %s", review_id, error)
{%- endif %}
        await self.monitor.refresh()
{%- if cookiecutter.async_pipeline %}
        await jobs.review_decided(review)
{%- endif %}
        return review, task
