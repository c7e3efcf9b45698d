"""POST /v1/tasks and GET /v1/tasks/{task_id}: the contract, idempotency and bad requests."""

from fastapi.testclient import TestClient

from .conftest import task_of


def test_a_task_is_answered_with_its_final_state(client: TestClient, text: str) -> None:
    response = client.post("/v1/tasks", json={"input": text})

    assert response.status_code == {{ 202 if cookiecutter.async_pipeline else 200 }}
    body = response.json()
    assert body["status"] == "delivered"
    assert body["output"]
    assert isinstance(body["task_id"], str)
{%- if cookiecutter.response_cache %}
    assert body["cached"] is False
{%- else %}
    assert "cached" not in body
{%- endif %}


def test_a_task_can_be_read_back(client: TestClient, text: str) -> None:
    created = client.post("/v1/tasks", json={"input": text}).json()

    response = client.get(f"/v1/tasks/{created['task_id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_every_answer_has_the_documented_shape(make_client, text: str) -> None:
    """Delivered, held for review, rejected by policy or failed: the fields of ``TaskOut``
    and no others, none of them null; the output only when delivered."""
    from {{ cookiecutter.package_name }}.schemas import TaskOut

    client = make_client(review_sample_rate=1.0)
    answers = [
        client.post("/v1/tasks", json={"input": text}).json(),
        task_of(client.post("/v1/tasks", json={"input": text + " [fake:error]"})),
    ]
    client.__exit__(None, None, None)  # one service at a time (one job runtime per process)
    held = make_client(review_all=True)
    answers.append(held.post("/v1/tasks", json={"input": text + " (held)"}).json())
    for answer in answers:
        answer.pop("history", None)  # the async pipeline's status history
        assert set(answer) <= set(TaskOut.model_fields), answer
        assert None not in answer.values(), answer
        assert TaskOut.model_validate(answer).model_dump(exclude_none=True) == answer
        assert ("output" in answer) == (answer["status"] == "delivered"), answer
    assert [answer["status"] for answer in answers] == ["delivered", "failed", "needs_review"]
    assert answers[0]["review_reason"] == "sample"
    assert "error" in answers[1]


def test_an_unknown_task_is_404(client: TestClient) -> None:
    response = client.get("/v1/tasks/does-not-exist")

    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


def test_a_repeated_post_with_one_idempotency_key_is_one_task(
    client: TestClient, text: str
) -> None:
    headers = {"Idempotency-Key": "order-123-reply"}
    first = client.post("/v1/tasks", json={"input": text}, headers=headers)
    second = client.post("/v1/tasks", json={"input": text}, headers=headers)

    assert first.status_code == second.status_code == {{ 202 if cookiecutter.async_pipeline else 200 }}
    assert first.json() == second.json()
    assert client.provider.calls == 1


def test_without_an_idempotency_key_each_post_is_a_new_task(client: TestClient, text: str) -> None:
    first = client.post("/v1/tasks", json={"input": text}).json()
    second = client.post("/v1/tasks", json={"input": text}).json()

    assert first["task_id"] != second["task_id"]


def test_an_overlong_idempotency_key_is_a_clear_422(client: TestClient, text: str) -> None:
    response = client.post(
        "/v1/tasks", json={"input": text}, headers={"Idempotency-Key": "k" * 201}
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("header.idempotency-key:")
    assert client.provider.calls == 0


def test_the_idempotency_key_is_in_the_api_docs(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/tasks"]["post"]

    [header] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["schema"]["maxLength"] == 200


def test_answered_tasks_are_stored_and_outlive_a_restart(make_client, text: str) -> None:
    first = make_client()
    answered = [
        first.post("/v1/tasks", json={"input": text}).json(),
        first.post("/v1/tasks", json={"input": text}).json(),  # a cache hit, when cached
        task_of(first.post("/v1/tasks", json={"input": text + " [fake:error]"})),
    ]
    first.__exit__(None, None, None)  # a clean shutdown: nothing may be left unwritten

    restarted = make_client()

    for task in answered:
        assert restarted.get(f"/v1/tasks/{task['task_id']}").json() == task


def test_an_idempotency_key_reused_for_another_input_is_a_conflict(
    client: TestClient, text: str
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    client.post("/v1/tasks", json={"input": text}, headers=headers)

    response = client.post("/v1/tasks", json={"input": text + " (other)"}, headers=headers)

    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]


def test_malformed_json_is_a_clear_422(client: TestClient) -> None:
    response = client.post(
        "/v1/tasks",
        content=b'{"input": "unterminated',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_a_missing_input_field_is_named(client: TestClient) -> None:
    response = client.post("/v1/tasks", json={"text": "hello"})

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "input" in response.json()["detail"]


def test_a_non_string_input_is_refused(client: TestClient) -> None:
    response = client.post("/v1/tasks", json={"input": 42})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("body.input")


def test_an_empty_input_is_refused(client: TestClient) -> None:
    response = client.post("/v1/tasks", json={"input": "   "})

    assert response.status_code == 422
    assert response.json()["detail"] == "input: must not be empty"


def test_an_input_over_the_maximum_length_is_refused(make_client) -> None:
    client = make_client(max_input_chars=100)

    response = client.post("/v1/tasks", json={"input": "x" * 101})

    assert response.status_code == 422
    assert "APP_MAX_INPUT_CHARS" in response.json()["detail"]
    assert client.provider.calls == 0


def test_an_oversized_body_is_413_before_parsing(make_client) -> None:
    client = make_client(max_body_bytes=2048)

    response = client.post("/v1/tasks", json={"input": "x" * 5000})

    assert response.status_code == 413
    assert "APP_MAX_BODY_BYTES" in response.json()["detail"]


def test_an_oversized_chunked_body_is_413(make_client) -> None:
    client = make_client(max_body_bytes=2048)

    def chunks():
        yield b'{"input": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = client.post(
        "/v1/tasks", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


def test_unicode_and_markup_in_the_input_survive(client: TestClient) -> None:
    text = "Bonjour \u202e <b>gras</b> \U0001f600 " + "{" * 2 + " 7*7 " + "}" * 2

    body = client.post("/v1/tasks", json={"input": text}).json()

    assert body["status"] == "delivered"
    stored = client.get(f"/v1/tasks/{body['task_id']}").json()
    assert stored == body
