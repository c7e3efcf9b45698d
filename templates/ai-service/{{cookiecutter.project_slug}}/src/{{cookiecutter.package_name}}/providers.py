"""LLM providers: the deterministic ``fake`` (default) and any OpenAI-compatible server.

Every call goes through :func:`complete_with_retries`: a timeout per attempt, retries with
exponential backoff on errors, timeouts and malformed output, and :class:`ProviderFailed`
when every attempt failed. A failed call never becomes a delivered answer.
"""

import asyncio
import math
import os
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from . import task
from .errors import MalformedOutput, ProviderError, ProviderFailed, ProviderTimeout
from .settings import Settings


@dataclass(frozen=True)
class LLMRequest:
    """One model call: the raw task input and the chat messages built from it."""

    input: str
    messages: list[dict[str, str]]
    temperature: float = 0.0
    logprobs: bool = False


@dataclass(frozen=True)
class Usage:
    """Tokens one provider call consumed, as the provider reports them (``usage``)."""

    prompt_tokens: int
    completion_tokens: int

    def cost(self, settings: Settings) -> float:
        """What the call cost, at ``APP_LLM_PRICE_*_PER_MILLION`` (0 when not set)."""
        return (
            self.prompt_tokens * settings.llm_price_input_per_million
            + self.completion_tokens * settings.llm_price_output_per_million
        ) / 1_000_000


@dataclass(frozen=True)
class Completion:
    """What the provider returned.

    Attributes:
        text: the raw answer, checked by ``task.parse_output`` before use.
        provider_confidence: a confidence the provider states itself (the fake does).
        token_logprobs: log-probabilities of the answer's tokens, when the server returns them.
        usage: the tokens of the call, when the provider reports them.
    """

    text: str
    provider_confidence: float | None = None
    token_logprobs: tuple[float, ...] | None = None
    usage: Usage | None = None


CHARS_PER_TOKEN = 4
"""English text averages about four characters per token in GPT-style tokenizers."""
TOKENS_PER_MESSAGE = 4
"""Chat formatting adds a few tokens per message (role and separators)."""


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate of the tokens of ``text`` (the fake provider's usage)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_usage(messages: list[dict[str, str]], answer: str) -> Usage:
    """The usage a chat model would report for these messages and this answer."""
    prompt = sum(TOKENS_PER_MESSAGE + estimate_tokens(m["content"]) for m in messages) + 3
    return Usage(prompt_tokens=prompt, completion_tokens=estimate_tokens(answer))


class Provider(Protocol):
    """An LLM backend. ``name`` and ``model`` say where an answer came from."""

    name: str
    model: str

    async def complete(self, request: LLMRequest) -> Completion: ...

    async def close(self) -> None: ...


def build_request(text: str, *, temperature: float = 0.0, logprobs: bool = False) -> LLMRequest:
    """The request for one task input, with the task's prompt (see ``task.py``)."""
    return LLMRequest(
        input=text,
        messages=task.build_messages(text),
        temperature=temperature,
        logprobs=logprobs,
    )


class FakeProvider:
    """Deterministic offline provider: a real component for development, tests and evals.

    The answer is ``task.fake_output(input)``: a simple, documented baseline for the task type
    (see ``task.py``), so the same input always gives the same output and the golden set in
    ``evals/golden.jsonl`` passes. The confidence is ``APP_FAKE_CONFIDENCE``, the delay per
    call ``APP_FAKE_LATENCY_MS``. It reports ``usage`` as a chat model would (estimated
    from the characters of the messages and the answer, :func:`estimate_usage`), so the
    token and cost metrics move as they will in production.

    Markers in the input simulate faults and confidences (they are removed before answering):

    - ``[fake:error]``: every attempt fails with a retryable provider error.
    - ``[fake:flaky]``: the first attempt for this input fails, the next succeeds.
    - ``[fake:timeout]``: every attempt hangs until the call timeout.
    - ``[fake:malformed]``: every answer is malformed (empty text).
    - ``[fake:confidence=0.42]``: report this confidence instead of ``APP_FAKE_CONFIDENCE``.
    """

    name = "fake"
    model = "fake"

    _MARKER = re.compile(r"\[fake:(error|flaky|timeout|malformed|confidence=([0-9.]+))\]")

    def __init__(self, settings: Settings) -> None:
        self._confidence = settings.fake_confidence
        self._latency = settings.fake_latency_ms / 1000
        self._flaky_attempts: Counter[str] = Counter()

    async def complete(self, request: LLMRequest) -> Completion:
        if self._latency:
            await asyncio.sleep(self._latency)
        markers = {match.group(1): match.group(2) for match in self._MARKER.finditer(request.input)}
        if "error" in markers:
            raise ProviderError("fake provider: simulated error")
        if "flaky" in markers:
            self._flaky_attempts[request.input] += 1
            if self._flaky_attempts[request.input] == 1:
                raise ProviderError("fake provider: simulated transient error")
        if "timeout" in markers:
            await asyncio.sleep(3600)
        if "malformed" in markers:
            return Completion(
                text="   ",
                provider_confidence=self._confidence,
                usage=estimate_usage(request.messages, "   "),
            )
        confidence = self._confidence
        for key, value in markers.items():
            if key.startswith("confidence="):
                confidence = min(1.0, float(value))
        clean = self._MARKER.sub("", request.input).strip()
        answer = task.fake_output(clean)
        return Completion(
            text=answer,
            provider_confidence=confidence,
            usage=estimate_usage(request.messages, answer),
        )

    async def close(self) -> None:
        return None


class OpenAIProvider:
    """Any OpenAI-compatible chat completions server, through the official ``openai`` SDK.

    The SDK's own retries are off: :func:`complete_with_retries` retries every provider the
    same way, so the retry metrics count them all.
    """

    name = "openai"

    def __init__(self, settings: Settings) -> None:
        import openai  # deferred: only this provider needs the SDK

        self._openai = openai
        self.model = settings.llm_model
        self._client = openai.AsyncOpenAI(
            base_url=settings.llm_base_url or None,
            # Local servers (vLLM, Ollama, llama.cpp) accept any key; the SDK insists on one.
            api_key=settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or "unused",
            timeout=settings.llm_timeout_seconds,
            max_retries=0,
        )

    async def complete(self, request: LLMRequest) -> Completion:
        openai = self._openai
        options: dict = {"logprobs": True} if request.logprobs else {}
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=request.messages,  # type: ignore[arg-type]
                temperature=request.temperature,
                **options,
            )
        except openai.APITimeoutError as error:
            raise ProviderTimeout(f"openai: {error}") from None
        except openai.APIConnectionError as error:
            raise ProviderError(f"openai: cannot reach the server: {error}") from None
        except openai.APIStatusError as error:
            retryable = error.status_code in (408, 409, 429) or error.status_code >= 500
            raise ProviderError(
                f"openai: HTTP {error.status_code}: {error.message}", retryable=retryable
            ) from None
        except (openai.APIResponseValidationError, ValueError) as error:
            raise MalformedOutput(f"openai: unreadable response: {error}") from None
        if not response.choices or response.choices[0].message.content is None:
            raise MalformedOutput("openai: the response has no message content")
        choice = response.choices[0]
        logprobs = None
        if choice.logprobs is not None and choice.logprobs.content:
            logprobs = tuple(token.logprob for token in choice.logprobs.content)
        usage = None
        if response.usage is not None:
            usage = Usage(
                prompt_tokens=response.usage.prompt_tokens,
                completion_tokens=response.usage.completion_tokens,
            )
        return Completion(text=choice.message.content, token_logprobs=logprobs, usage=usage)

    async def close(self) -> None:
        await self._client.close()


def build_provider(settings: Settings) -> Provider:
    """The provider named by ``APP_LLM_PROVIDER``."""
    if settings.llm_provider == "openai":
        return OpenAIProvider(settings)
    return FakeProvider(settings)


async def complete_with_retries(
    provider: Provider,
    request: LLMRequest,
    settings: Settings,
    *,
    on_failed_attempt: Callable[[str], None] = lambda kind: None,
    on_usage: Callable[[Usage], None] = lambda usage: None,
) -> tuple[Completion, str]:
    """Call the provider until it gives a valid output; return the completion and the output.

    Each attempt has the timeout ``APP_LLM_TIMEOUT_SECONDS``. Errors, timeouts and malformed
    output are retried up to ``APP_LLM_MAX_ATTEMPTS`` attempts, waiting
    ``APP_LLM_BACKOFF_SECONDS`` * 2**(attempt - 1) (+ up to 10% jitter) between attempts.
    Non-retryable errors (authentication, bad request) stop at once. ``on_usage`` gets the
    usage of every answer received, malformed ones included (they are paid for too).

    Raises:
        ProviderFailed: no attempt gave a valid output.
    """
    attempts = settings.llm_max_attempts
    last_error: ProviderError = ProviderError("no attempt made")
    for attempt in range(1, attempts + 1):
        try:
            async with asyncio.timeout(settings.llm_timeout_seconds):
                completion = await provider.complete(request)
            if completion.usage is not None:
                on_usage(completion.usage)
            return completion, task.parse_output(completion.text)
        except TimeoutError:
            last_error = ProviderTimeout(f"no answer within {settings.llm_timeout_seconds:g} s")
        except ProviderError as error:
            last_error = error
        on_failed_attempt(last_error.kind)
        if not last_error.retryable:
            raise ProviderFailed(attempt, last_error)
        if attempt < attempts:
            delay = settings.llm_backoff_seconds * 2 ** (attempt - 1)
            await asyncio.sleep(delay * (1 + random.random() / 10))
    raise ProviderFailed(attempts, last_error)
