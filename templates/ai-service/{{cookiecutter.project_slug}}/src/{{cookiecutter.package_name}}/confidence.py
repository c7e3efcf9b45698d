"""Confidence estimators for the fallback to a human (pluggable, ``APP_CONFIDENCE_METHOD``).

An estimator turns one answer into a confidence in [0, 1], or ``None`` when it cannot tell;
``None`` counts as low confidence, so the output goes to review rather than out. To add a
verifier (a second model grading the answer, a rules check, ...), write a class with the
same ``estimate`` method and return it from :func:`build_estimator`.
"""

import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Protocol

from .errors import ProviderFailed
from .providers import Completion
from .settings import Settings
from .text import normalise

log = logging.getLogger(__name__)

SampleAnswer = Callable[[], Awaitable[str]]
"""Draws one more answer for the same input (used by self-consistency)."""


class ConfidenceEstimator(Protocol):
    name: str

    async def estimate(
        self, completion: Completion, output: str, sample: SampleAnswer
    ) -> float | None: ...


class ProviderReported:
    """The confidence the provider states itself (the fake provider's APP_FAKE_CONFIDENCE)."""

    name = "provider"

    async def estimate(
        self, completion: Completion, output: str, sample: SampleAnswer
    ) -> float | None:
        return completion.provider_confidence


class TokenLogprobs:
    """Geometric mean of the answer's token probabilities, exp(mean logprob).

    Needs a server that returns logprobs (OpenAI, vLLM, llama.cpp do); ``None`` otherwise.
    """

    name = "logprobs"

    async def estimate(
        self, completion: Completion, output: str, sample: SampleAnswer
    ) -> float | None:
        if not completion.token_logprobs:
            return None
        return math.exp(sum(completion.token_logprobs) / len(completion.token_logprobs))


class SelfConsistency:
    """Share of extra samples (drawn at a higher temperature) that agree with the answer.

    Costs ``samples`` extra provider calls per task; a sample that fails counts as disagreeing.
    """

    name = "self_consistency"

    def __init__(self, samples: int) -> None:
        self.samples = samples

    async def estimate(
        self, completion: Completion, output: str, sample: SampleAnswer
    ) -> float | None:
        agreeing = 0
        for _ in range(self.samples):
            with contextlib.suppress(ProviderFailed):
                agreeing += normalise(await sample()) == normalise(output)
        return agreeing / self.samples


class FirstAvailable:
    """The first estimator that gives a value (``APP_CONFIDENCE_METHOD=auto``: the
    provider's own, then logprobs; never self-consistency, which multiplies the calls)."""

    name = "auto"

    def __init__(self, *estimators: ConfidenceEstimator) -> None:
        self.estimators = estimators
        self._told = False

    async def estimate(
        self, completion: Completion, output: str, sample: SampleAnswer
    ) -> float | None:
        for estimator in self.estimators:
            value = await estimator.estimate(completion, output, sample)
            if value is not None:
                return value
        if not self._told:  # once per process: the cause is the provider, not this output
            self._told = True
            log.warning(
                "confidence estimator auto: the provider reports neither a confidence nor "
                "token logprobs, so every output goes to review; use a server that returns "
                "logprobs, or APP_CONFIDENCE_METHOD=self_consistency (extra provider calls "
                "per task: APP_SELF_CONSISTENCY_SAMPLES)"
            )
        return None


def build_estimator(settings: Settings) -> ConfidenceEstimator:
    """The estimator named by ``APP_CONFIDENCE_METHOD``."""
    match settings.confidence_method:
        case "provider":
            return ProviderReported()
        case "logprobs":
            return TokenLogprobs()
        case "self_consistency":
            return SelfConsistency(settings.self_consistency_samples)
        case _:
            return FirstAvailable(ProviderReported(), TokenLogprobs())


def extra_calls_per_task(estimator: ConfidenceEstimator) -> int:
    """Provider calls the estimator adds to each task."""
    return estimator.samples if isinstance(estimator, SelfConsistency) else 0


def describe(estimator: ConfidenceEstimator) -> str:
    """One line for the start-up log."""
    extra = extra_calls_per_task(estimator)
    if isinstance(estimator, FirstAvailable):
        names = ", then ".join(part.name for part in estimator.estimators)
        return f"confidence estimator: auto ({names}; no value: the output goes to review)"
    cost = f", {extra} extra provider call(s) per task" if extra else ""
    return f"confidence estimator: {estimator.name}{cost}"


def wants_logprobs(settings: Settings) -> bool:
    """Whether provider calls should ask for token logprobs."""
    return settings.confidence_method in ("auto", "logprobs")
