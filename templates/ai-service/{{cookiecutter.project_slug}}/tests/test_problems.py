"""Every bad request is a 4xx in one shape: RFC 9457 problem details."""

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "error"} <= set(body)
    return body


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"input": "hello"}', {}),  # no Content-Type
        (b"input=hello", {"content-type": "application/x-www-form-urlencoded"}),
        (b"hello", {"content-type": "text/plain"}),
        (b'{"input": 1e999}', {"content-type": "application/json"}),
        (b'{"input": NaN}', {"content-type": "application/json"}),
        (b'{"input": "a\\ud800b"}', {"content-type": "application/json"}),  # lone surrogate
        (b'{"input": "a\\u0000b"}', {"content-type": "application/json"}),  # NUL
        (b'{"input": "\\udfff"}', {"content-type": "application/json"}),
        (b"\xff\xfe", {"content-type": "application/json"}),
        (b"[]", {"content-type": "application/json"}),
        (b"", {"content-type": "application/json"}),
    ],
)
def test_common_bad_bodies_are_422_problems(client: TestClient, content: bytes, headers) -> None:
    response = client.post("/v1/tasks", content=content, headers=headers)

    body = assert_problem(response, 422)
    assert body["error"] == "invalid_request"
    assert client.provider.calls == 0


def test_nul_and_lone_surrogates_in_an_edit_are_422(make_client, text: str) -> None:
    client = make_client(review_all=True)
    client.post("/v1/tasks", json={"input": text})
    [review] = client.get("/v1/reviews").json()

    for output in ("a\x00b", "a\ud800b"):
        response = client.post(
            f"/v1/reviews/{review['review_id']}",
            content=b'{"action": "edit", "output": ' + _json_escape(output).encode() + b"}",
            headers={"content-type": "application/json"},
        )
        assert_problem(response, 422)


def _json_escape(text: str) -> str:
    import json

    return json.dumps(text)  # ensure_ascii: surrogates and NUL as \\u escapes


def test_a_nul_in_a_path_id_is_422_not_a_database_error(client: TestClient) -> None:
    assert_problem(client.get("/v1/tasks/abc%00def"), 422)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/tasks/unknown", 404),
        ("POST", "/v1/reviews/unknown", 404),
        ("GET", "/v1/nowhere", 404),
        ("DELETE", "/v1/tasks", 405),
        ("GET", "/v1/reviews?limit=0", 422),
        ("GET", "/v1/reviews?status=lost", 422),
    ],
)
def test_every_error_has_the_problem_shape(client: TestClient, method, path, status) -> None:
    body = {"action": "approve"} if method == "POST" else None
    assert_problem(client.request(method, path, json=body), status)


def test_401_and_403_are_problems_too(make_client) -> None:
    anonymous = make_client(role=None)
    client_role = make_client(role="client")

    assert_problem(anonymous.get("/v1/reviews"), 401)
    assert_problem(client_role.get("/v1/reviews"), 403)


def test_an_oversized_body_is_a_413_problem(make_client) -> None:
    client = make_client(max_body_bytes=2048)

    assert_problem(client.post("/v1/tasks", json={"input": "x" * 5000}), 413)


def test_the_schema_documents_statuses_limits_and_media_types(make_client) -> None:
    client = make_client(max_input_chars=500)
    schema = client.get("/openapi.json").json()

    create = schema["paths"]["/v1/tasks"]["post"]
    for status in ("401", "403", "409", "413", "422"):
        assert PROBLEM in create["responses"][status]["content"], status
    body = schema["components"]["schemas"]["TaskIn"]["properties"]["input"]
    assert (body["minLength"], body["maxLength"]) == (1, 500)
    assert "404" in schema["paths"]["/v1/tasks/{task_id}"]["get"]["responses"]
    decide = schema["paths"]["/v1/reviews/{review_id}"]["post"]["responses"]
    assert {"404", "409", "422"} <= set(decide)
    metrics = schema["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]
