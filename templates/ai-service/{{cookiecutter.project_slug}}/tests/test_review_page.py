"""The reviewers' HTML page: list, detail, approve, edit, reject with plain forms."""

from fastapi.testclient import TestClient

MARKUP = "<script>alert(1)</script>"


def pending_review(client: TestClient, text: str) -> dict:
    client.post("/v1/tasks", json={"input": text})
    return client.get("/v1/reviews").json()[0]


def test_the_list_shows_pending_reviews(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    page = client.get("/review")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Review queue" in page.text
    assert f'href="/review/{review["review_id"]}"' in page.text
    assert "policy" in page.text


def test_an_empty_queue_says_so(client: TestClient) -> None:
    assert "Nothing to review." in client.get("/review").text


def test_the_detail_shows_input_and_output_as_text(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, f"{text} {MARKUP}")

    page = client.get(f"/review/{review['review_id']}")

    assert page.status_code == 200
    assert MARKUP not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    for action in ("approve", "edit", "reject"):
        assert f'value="{action}"' in page.text


def test_approve_by_form(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    response = client.post(
        f"/review/{review['review_id']}", data={"action": "approve"}, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/review?done=approved"
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "delivered"
    assert "Saved: approved." in client.get(response.headers["location"]).text


def test_edit_by_form(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    client.post(f"/review/{review['review_id']}", data={"action": "edit", "output": "Fixed text"})

    task = client.get(f"/v1/tasks/{review['task_id']}").json()
    assert (task["status"], task["output"]) == ("delivered", "Fixed text")


def test_reject_by_form(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    client.post(f"/review/{review['review_id']}", data={"action": "reject"})

    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "rejected"


def test_an_empty_edit_shows_the_form_again_with_a_message(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    page = client.post(f"/review/{review['review_id']}", data={"action": "edit", "output": " "})

    assert page.status_code == 422
    assert "An edit needs the corrected output." in page.text


def test_a_decided_review_cannot_be_decided_again(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)
    client.post(f"/review/{review['review_id']}", data={"action": "approve"})

    page = client.post(f"/review/{review['review_id']}", data={"action": "reject"})

    assert page.status_code == 409
    assert "already decided" in page.text
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "delivered"


def test_a_form_posted_from_another_site_is_refused(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    response = client.post(
        f"/review/{review['review_id']}",
        data={"action": "approve"},
        headers={"origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "needs_review"


def test_an_unknown_review_page_is_404(client: TestClient) -> None:
    page = client.get("/review/unknown")

    assert page.status_code == 404
    assert "Review not found" in page.text
