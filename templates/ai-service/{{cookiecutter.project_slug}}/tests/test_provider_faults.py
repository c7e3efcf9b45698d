"""Provider faults (errors, timeouts, malformed output) are retried, then the task fails.

A failure never becomes a delivered answer. The OpenAI-compatible provider is tested against
a real local HTTP server speaking the chat completions API.
"""

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
{%- if not cookiecutter.async_pipeline %}
from fastapi.testclient import TestClient
{%- endif %}

from {{ cookiecutter.package_name }} import providers, task
from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.auth import create_token
from {{ cookiecutter.package_name }}.errors import ProviderError, ProviderFailed
from {{ cookiecutter.package_name }}.providers import (
    Completion,
    OpenAIProvider,
    build_request,
    complete_with_retries,
)

from .conftest import {% if cookiecutter.async_pipeline %}JobClient, {% endif %}make_settings, task_of


@pytest.mark.parametrize(
    ("marker", "kind"),
    [("[fake:error]", "error"), ("[fake:timeout]", "timeout"), ("[fake:malformed]", "malformed")],
)
def test_a_fault_on_every_attempt_fails_the_task(make_client, text: str, marker, kind) -> None:
    client = make_client(llm_max_attempts=3, llm_timeout_seconds=0.05)

    response = client.post("/v1/tasks", json={"input": f"{text} {marker}"})
    task = task_of(response)

    assert task["status"] == "failed"
{%- if not cookiecutter.async_pipeline %}
    assert response.status_code == (504 if kind == "timeout" else 502)
    expected = "provider_timeout" if kind == "timeout" else "provider_failed"
    assert response.json()["error"] == expected
{%- endif %}
    assert "output" not in task
    assert "after 3 attempt(s)" in task["error"]
    assert client.provider.calls == 3
    metrics = client.get("/metrics").text
    assert '_provider_failed_attempts_total{kind="' + kind + '"} 3.0' in metrics
    assert client.get("/v1/reviews").json() == []


def test_a_transient_error_is_retried_and_then_delivered(client, text: str) -> None:
    task = client.post("/v1/tasks", json={"input": f"{text} [fake:flaky]"}).json()

    assert task["status"] == "delivered"
    assert client.provider.calls == 2


def test_backoff_doubles_between_attempts(monkeypatch, tmp_path) -> None:
    settings = make_settings(tmp_path, llm_max_attempts=4, llm_backoff_seconds=0.5)
    delays: list[float] = []

    async def no_wait(delay: float) -> None:
        delays.append(delay)

    class Failing:
        name = model = "failing"

        async def complete(self, request):
            raise ProviderError("down")

    monkeypatch.setattr(providers.asyncio, "sleep", no_wait)
    with pytest.raises(ProviderFailed):
        asyncio.run(complete_with_retries(Failing(), build_request("x"), settings))

    assert len(delays) == 3
    for delay, expected in zip(delays, (0.5, 1.0, 2.0), strict=True):
        assert expected <= delay <= expected * 1.1


def test_a_non_retryable_error_stops_at_once(tmp_path) -> None:
    settings = make_settings(tmp_path, llm_max_attempts=5)
    calls = []

    class Unauthorised:
        name = model = "x"

        async def complete(self, request):
            calls.append(request)
            raise ProviderError("HTTP 401", retryable=False)

    with pytest.raises(ProviderFailed) as failure:
        asyncio.run(complete_with_retries(Unauthorised(), build_request("x"), settings))

    assert len(calls) == 1
    assert "after 1 attempt(s)" in str(failure.value)


# A local OpenAI-compatible server, scripted per test.


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: list[tuple[int, object, float]] = []
        self.requests: list[dict] = []
        self.arrived = threading.Condition()

    def reply(self, status: int, body: object, delay: float = 0.0) -> None:
        self.replies.append((status, body, delay))

    def received(self, request: dict) -> None:
        with self.arrived:
            self.requests.append(request)
            self.arrived.notify_all()

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> int:
        """The number of requests received, once it reaches ``count`` (or the timeout
        passed): a client that gave up on a slow reply may be faster than the server's
        thread noting the request."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return len(self.requests)


def chat_completion(content: str | None, logprobs: list[float] | None = None) -> dict:
    choice: dict = {
        "index": 0,
        "finish_reason": "stop",
        "message": {"role": "assistant", "content": content},
    }
    if logprobs is not None:
        choice["logprobs"] = {
            "content": [
                {"token": f"t{i}", "logprob": value, "bytes": None, "top_logprobs": []}
                for i, value in enumerate(logprobs)
            ]
        }
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [choice],
    }


@pytest.fixture
def server() -> Iterator[tuple[ScriptedServer, str]]:
    script = ScriptedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            script.received(json.loads(self.rfile.read(length) or b"{}"))
            status, body, delay = script.replies.pop(0) if script.replies else (500, {}, 0)
            if delay:
                threading.Event().wait(delay)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield script, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def openai_settings(tmp_path, base_url: str, **overrides):
    values = {
        # make_settings' 0.2 s is for the fake provider; a busy machine answers HTTP slower
        "llm_timeout_seconds": 10.0,
        **overrides,
    }
    return make_settings(
        tmp_path,
        llm_provider="openai",
        llm_base_url=base_url,
        llm_model="test-model",
        llm_api_key="test-key",
        **values,
    )


def call(settings, text: str, **request_options) -> tuple[Completion, str]:
    async def run() -> tuple[Completion, str]:
        provider = OpenAIProvider(settings)
        try:
            return await complete_with_retries(
                provider, build_request(text, **request_options), settings
            )
        finally:
            await provider.close()

    return asyncio.run(run())


def test_openai_provider_returns_the_answer_and_logprobs(server, tmp_path, text: str) -> None:
    script, url = server
    answer = task.fake_output(text)
    script.reply(200, chat_completion(answer, logprobs=[-0.01, -0.02]))

    completion, output = call(openai_settings(tmp_path, url), text, logprobs=True)

    assert output == task.parse_output(answer)
    assert completion.token_logprobs == (-0.01, -0.02)
    sent = script.requests[0]
    assert sent["model"] == "test-model"
    assert sent["messages"][-1] == {"role": "user", "content": text}
    assert sent["logprobs"] is True


def test_openai_server_errors_are_retried(server, tmp_path, text: str) -> None:
    script, url = server
    script.reply(503, {"error": {"message": "overloaded"}})
    script.reply(429, {"error": {"message": "slow down"}})
    script.reply(200, chat_completion(task.fake_output(text)))

    _, output = call(openai_settings(tmp_path, url), text)

    assert output
    assert len(script.requests) == 3


def test_openai_authentication_errors_are_not_retried(server, tmp_path, text: str) -> None:
    script, url = server
    script.reply(401, {"error": {"message": "bad key"}})

    with pytest.raises(ProviderFailed) as failure:
        call(openai_settings(tmp_path, url), text)

    assert "HTTP 401" in str(failure.value)
    assert len(script.requests) == 1


def test_openai_malformed_responses_fail_after_retries(server, tmp_path, text: str) -> None:
    script, url = server
    script.reply(200, b"this is not json")
    script.reply(200, chat_completion(None))
    script.reply(200, chat_completion("   "))

    with pytest.raises(ProviderFailed) as failure:
        call(openai_settings(tmp_path, url, llm_max_attempts=3), text)

    assert failure.value.last_error.kind == "malformed"
    assert len(script.requests) == 3


def test_openai_timeouts_fail_after_retries(server, tmp_path, text: str) -> None:
    script, url = server
    for _ in range(2):
        script.reply(200, chat_completion("late"), delay=1.0)

    with pytest.raises(ProviderFailed) as failure:
        call(openai_settings(tmp_path, url, llm_max_attempts=2, llm_timeout_seconds=0.1), text)

    assert failure.value.last_error.kind == "timeout"
    assert script.wait_for_requests(2) == 2


def test_openai_unreachable_server_fails_the_task(tmp_path, text: str) -> None:
    settings = make_settings(
        tmp_path,
        llm_provider="openai",
        llm_base_url="http://127.0.0.1:1/v1",
        llm_max_attempts=2,
        llm_timeout_seconds=10,  # a refused connection fails at once; a busy machine is slow
    )

    with {{ "JobClient" if cookiecutter.async_pipeline else "TestClient" }}(create_app(settings)) as client:
        token = create_token(settings, "test-client", "client")
        client.headers["Authorization"] = f"Bearer {token}"
        task = task_of(client.post("/v1/tasks", json={"input": text}))

    assert task["status"] == "failed"
    assert "cannot reach the server" in task["error"]
