"""The response cache: hits skip the model, and only delivered outputs are ever cached."""

from {{ cookiecutter.package_name }}.cache import canonical_key
from {{ cookiecutter.package_name }}.metrics import PREFIX

from .conftest import task_of


def test_a_repeated_input_is_served_from_the_cache(client, text: str) -> None:
    first = client.post("/v1/tasks", json={"input": text}).json()
    second = client.post("/v1/tasks", json={"input": text}).json()

    assert (first["cached"], second["cached"]) == (False, True)
    assert second["output"] == first["output"]
    assert second["task_id"] != first["task_id"]
    assert client.provider.calls == 1


def test_a_different_input_is_a_miss(client, text: str) -> None:
    client.post("/v1/tasks", json={"input": text})
    other = client.post("/v1/tasks", json={"input": text + " (other)"}).json()

    assert other["cached"] is False
    assert client.provider.calls == 2


def test_hits_and_misses_are_counted(client, text: str) -> None:
    client.post("/v1/tasks", json={"input": text})
    client.post("/v1/tasks", json={"input": text})
    metrics = client.get("/metrics").text

    assert PREFIX + '_cache_lookups_total{result="miss"} 1.0' in metrics
    assert PREFIX + '_cache_lookups_total{result="hit"} 1.0' in metrics


def test_an_output_waiting_for_review_is_never_cached(make_client, text: str) -> None:
    client = make_client(review_all=True)

    first = client.post("/v1/tasks", json={"input": text}).json()
    second = client.post("/v1/tasks", json={"input": text}).json()

    assert first["status"] == second["status"] == "needs_review"
    assert second["cached"] is False
    assert client.provider.calls == 2
    assert len(client.get("/v1/reviews").json()) == 2


def test_an_approved_output_is_cached(make_client, text: str) -> None:
    client = make_client(review_all=True)
    client.post("/v1/tasks", json={"input": text})
    [review] = client.get("/v1/reviews").json()
    client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    again = client.post("/v1/tasks", json={"input": text}).json()

    assert (again["status"], again["cached"]) == ("delivered", True)
    assert again["output"] == review["output"]
    assert client.provider.calls == 1


def test_an_edited_output_is_what_gets_cached(make_client, text: str) -> None:
    client = make_client(review_all=True)
    client.post("/v1/tasks", json={"input": text})
    [review] = client.get("/v1/reviews").json()
    client.post(
        f"/v1/reviews/{review['review_id']}", json={"action": "edit", "output": "Human answer"}
    )

    again = client.post("/v1/tasks", json={"input": text}).json()

    assert (again["output"], again["cached"]) == ("Human answer", True)


def test_a_rejected_sample_is_evicted_from_the_cache(make_client, text: str) -> None:
    client = make_client(review_sample_rate=1.0)
    client.post("/v1/tasks", json={"input": text})
    [review] = client.get("/v1/reviews").json()
    client.post(f"/v1/reviews/{review['review_id']}", json={"action": "reject"})

    again = client.post("/v1/tasks", json={"input": text}).json()

    assert again["cached"] is False
    assert client.provider.calls == 2


def test_a_failed_task_is_not_cached(client, text: str) -> None:
    failing = text + " [fake:error]"
    client.post("/v1/tasks", json={"input": failing})
    again = task_of(client.post("/v1/tasks", json={"input": failing}))

    assert (again["status"], again["cached"]) == ("failed", False)


def test_the_key_covers_everything_that_shapes_the_answer() -> None:
    base = {
        "provider": "openai",
        "model": "m1",
        "input_text": "hello",
        "parameters": {"temperature": 0.0},
        "namespace": "ns",
    }
    key = canonical_key(**base)

    assert key == canonical_key(**base)
    assert key.startswith("ns:response:")
    for change in (
        {"provider": "fake"},
        {"model": "m2"},
        {"input_text": "hello "},
        {"parameters": {"temperature": 0.7}},
    ):
        assert canonical_key(**{**base, **change}) != key


def test_the_key_is_the_sha256_of_the_canonical_json() -> None:
    """The documented format (entries stay valid across versions of this code)."""
    import hashlib
    import json

    from {{ cookiecutter.package_name }} import task

    text = 'Caf\u00e9 "quoted" \n ' + "{" * 2 + " 7*7 " + "}" * 2 + " \U0001f600"
    material = {
        "provider": "openai",
        "model": "m1",
        "prompt_version": task.PROMPT_VERSION,
        "task_type": task.TASK_TYPE,
        "input": text,
        "parameters": {"temperature": 0.2},
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    key = canonical_key(
        provider="openai",
        model="m1",
        input_text=text,
        parameters={"temperature": 0.2},
        namespace="ns",
    )

    assert key == "ns:response:" + hashlib.sha256(canonical.encode()).hexdigest()


def test_an_unreachable_cache_degrades_to_misses_and_fails_the_health_check(
    make_client, text: str
) -> None:
    client = make_client(cache_url="redis://127.0.0.1:1/0")

    task = client.post("/v1/tasks", json={"input": text}).json()
    health = client.get("/healthz")

    assert (task["status"], task["cached"]) == ("delivered", False)
    assert health.status_code == 503
    assert health.json()["checks"]["cache"].startswith("unavailable")
    assert health.json()["checks"]["database"] == "ok"
    assert '_cache_lookups_total{result="error"} 1.0' in client.get("/metrics").text
