"""Failures of the model call. None of them ever becomes a delivered answer."""


class ProviderError(Exception):
    """The provider did not give a usable answer.

    Attributes:
        kind: ``error``, ``timeout`` or ``malformed``; a label of the retry metrics.
        retryable: whether another attempt may succeed (rate limits, 5xx, timeouts,
            malformed output); authentication and bad requests are not retried.
    """

    kind = "error"

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class ProviderTimeout(ProviderError):
    """One provider call took longer than ``APP_LLM_TIMEOUT_SECONDS``."""

    kind = "timeout"


class MalformedOutput(ProviderError):
    """The provider answered, but the answer is not a valid output for this task."""

    kind = "malformed"


class ProviderFailed(Exception):
    """Every attempt failed; the task becomes ``failed``."""

    def __init__(self, attempts: int, last_error: ProviderError) -> None:
        super().__init__(f"provider failed after {attempts} attempt(s): {last_error}")
        self.attempts = attempts
        self.last_error = last_error
