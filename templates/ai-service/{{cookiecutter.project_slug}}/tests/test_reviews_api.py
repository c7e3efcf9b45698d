"""The review queue over the JSON API: policy reviews, the random sample, and decisions."""

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import task as task_kind
from {{ cookiecutter.package_name }}.errors import MalformedOutput

INVALID_OUTPUTS = [
    "Banana!! not a label",  # a classifier's label
    "def oops(:",  # code
    "{not json",  # extraction, agentic workflow
    "<p>no speak element</p>",  # voice (SSML)
]
"""Outputs that some task kinds' output check refuses."""


def refused_by_the_output_check() -> str:
    for output in INVALID_OUTPUTS:
        try:
            task_kind.parse_output(output)
        except MalformedOutput:
            return output
    pytest.skip("this task kind accepts any non-empty text as an output")


def queue_one(client: TestClient, text: str) -> tuple[dict, dict]:
    task = client.post("/v1/tasks", json={"input": text}).json()
    pending = client.get("/v1/reviews", params={"status": "pending"}).json()
    review = next(item for item in pending if item["task_id"] == task["task_id"])
    return task, review


def test_with_review_all_every_output_waits_for_a_reviewer(make_client, text: str) -> None:
    client = make_client(review_all=True)

    task, review = queue_one(client, text)

    assert task["status"] == "needs_review"
    assert task["review_reason"] == "policy"
    assert "output" not in task
    assert "output" not in client.get(f"/v1/tasks/{task['task_id']}").json()
    assert set(review) >= {"review_id", "task_id", "input", "output", "confidence", "reason"}
    assert review["input"] == text
    assert review["output"]
    assert review["reason"] == "policy"


def test_approve_delivers_the_model_output(make_client, text: str) -> None:
    client = make_client(review_all=True)
    task, review = queue_one(client, text)

    response = client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    assert response.status_code == 200
    assert response.json()["verdict"] == "approved"
    final = client.get(f"/v1/tasks/{task['task_id']}").json()
    assert final["status"] == "delivered"
    assert final["output"] == review["output"]
    assert client.get("/v1/reviews").json() == []


def a_valid_correction(text: str) -> str:
    """An output this task kind's check accepts: a plain sentence where any text will do,
    else the fake provider's kind of answer."""
    try:
        task_kind.parse_output("Corrected.")
    except MalformedOutput:
        return task_kind.fake_output(text)
    return "Corrected."


def test_edit_delivers_the_reviewers_output(make_client, text: str) -> None:
    client = make_client(review_all=True)
    task, review = queue_one(client, text)
    corrected = a_valid_correction(text)
    delivered = task_kind.parse_output(corrected)  # as the check normalises it

    response = client.post(
        f"/v1/reviews/{review['review_id']}", json={"action": "edit", "output": corrected}
    )

    assert response.status_code == 200
    assert response.json()["task"]["output"] == delivered
    assert response.json()["decided_by"] == "test-admin"
    final = client.get(f"/v1/tasks/{task['task_id']}").json()
    assert (final["status"], final["output"]) == ("delivered", delivered)


def test_an_edit_without_output_is_refused(make_client, text: str) -> None:
    client = make_client(review_all=True)
    _, review = queue_one(client, text)

    response = client.post(f"/v1/reviews/{review['review_id']}", json={"action": "edit"})

    assert response.status_code == 422
    assert client.get("/v1/reviews").json()[0]["review_id"] == review["review_id"]


def test_reject_never_shows_the_output(make_client, text: str) -> None:
    client = make_client(review_all=True)
    task, review = queue_one(client, text)

    response = client.post(f"/v1/reviews/{review['review_id']}", json={"action": "reject"})

    assert response.status_code == 200
    final = client.get(f"/v1/tasks/{task['task_id']}").json()
    assert final["status"] == "rejected"
    assert "output" not in final


def test_a_review_is_decided_once(make_client, text: str) -> None:
    client = make_client(review_all=True)
    _, review = queue_one(client, text)
    client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    again = client.post(f"/v1/reviews/{review['review_id']}", json={"action": "reject"})

    assert again.status_code == 409
    decided = client.get("/v1/reviews", params={"status": "approved"}).json()
    assert [item["review_id"] for item in decided] == [review["review_id"]]


def test_an_edit_that_fails_the_output_check_is_422_and_never_delivered(
    make_client, text: str
) -> None:
    invalid = refused_by_the_output_check()
    client = make_client(review_all=True)
    task, review = queue_one(client, text)

    response = client.post(
        f"/v1/reviews/{review['review_id']}", json={"action": "edit", "output": invalid}
    )

    assert response.status_code == 422
    assert "not a valid output for this task" in response.json()["detail"]
    assert client.get(f"/v1/tasks/{task['task_id']}").json()["status"] == "needs_review"
    calls = client.provider.calls
    again = client.post("/v1/tasks", json={"input": text}).json()
    assert again.get("cached") is not True
    assert client.provider.calls > calls


def test_an_edit_longer_than_the_limit_is_422(make_client, text: str) -> None:
    client = make_client(review_all=True, max_output_chars=50)
    task, review = queue_one(client, text)

    response = client.post(
        f"/v1/reviews/{review['review_id']}", json={"action": "edit", "output": "x" * 51}
    )

    assert response.status_code == 422
    assert client.get(f"/v1/tasks/{task['task_id']}").json()["status"] == "needs_review"


def test_approve_or_reject_with_an_output_is_422(make_client, text: str) -> None:
    client = make_client(review_all=True)
    task, review = queue_one(client, text)

    for action in ("approve", "reject"):
        response = client.post(
            f"/v1/reviews/{review['review_id']}", json={"action": action, "output": "Other."}
        )
        assert response.status_code == 422, action
    assert client.get(f"/v1/tasks/{task['task_id']}").json()["status"] == "needs_review"


def test_an_edit_of_an_unknown_review_is_404(client: TestClient) -> None:
    response = client.post("/v1/reviews/nope", json={"action": "edit", "output": "Corrected."})

    assert response.status_code == 404


def test_unknown_review_and_unknown_action(client: TestClient) -> None:
    assert client.post("/v1/reviews/nope", json={"action": "approve"}).status_code == 404
    assert client.post("/v1/reviews/nope", json={"action": "publish"}).status_code == 422
    assert client.get("/v1/reviews", params={"status": "bogus"}).status_code == 422


def test_the_sample_is_delivered_and_also_reviewed(make_client, text: str) -> None:
    client = make_client(review_sample_rate=1.0)

    task, review = queue_one(client, text)

    assert task["status"] == "delivered"
    assert task["output"]
    assert review["reason"] == "sample"
    assert review["output"] == task["output"]


def test_rejecting_a_sampled_output_withdraws_it(make_client, text: str) -> None:
    client = make_client(review_sample_rate=1.0)
    task, review = queue_one(client, text)

    client.post(f"/v1/reviews/{review['review_id']}", json={"action": "reject"})

    final = client.get(f"/v1/tasks/{task['task_id']}").json()
    assert final["status"] == "rejected"
    assert "output" not in final


def test_without_sampling_confident_outputs_skip_the_queue(client: TestClient, text: str) -> None:
    for n in range(5):
        client.post("/v1/tasks", json={"input": f"{text} (case {n})"})

    assert client.get("/v1/reviews").json() == []


def test_the_sample_rate_picks_that_share_of_outputs(make_client, text: str) -> None:
    client = make_client(review_sample_rate=0.5)
    for n in range(100):
        client.post("/v1/tasks", json={"input": f"{text} (case {n})"})

    sampled = len(client.get("/v1/reviews", params={"limit": 1000}).json())

    # Binomial(100, 0.5): outside 20..80 has a probability below 1e-9.
    assert 20 <= sampled <= 80
