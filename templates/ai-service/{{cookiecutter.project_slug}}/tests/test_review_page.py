"""The reviewers' HTML page: list, detail, approve, edit, reject with plain forms."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from {{ cookiecutter.package_name }} import review_page
from {{ cookiecutter.package_name }} import task as task_kind

from .conftest import sign_in
from .test_reviews_api import a_valid_correction

MARKUP = "<script>alert(1)</script>"


def pending_review(client: TestClient, text: str) -> dict:
    client.post("/v1/tasks", json={"input": text})
    return client.get("/v1/reviews").json()[0]


def test_the_list_shows_pending_reviews(make_client, text: str) -> None:
    client = make_client(review_all=True)
    sign_in(client)
    review = pending_review(client, text)

    page = client.get("/review")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Review queue" in page.text
    assert f'href="/review/{review["review_id"]}"' in page.text
    assert "policy" in page.text


def test_an_empty_queue_says_so(client: TestClient) -> None:
    sign_in(client)
    assert "Nothing to review." in client.get("/review").text


def test_the_detail_shows_input_and_output_as_text(make_client, text: str) -> None:
    client = make_client(review_all=True)
    sign_in(client)
    review = pending_review(client, f"{text} {MARKUP}")

    page = client.get(f"/review/{review['review_id']}")

    assert page.status_code == 200
    assert MARKUP not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    for action in ("approve", "edit", "reject"):
        assert f'value="{action}"' in page.text


def test_approve_by_form(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)

    response = client.post(
        f"/review/{review['review_id']}",
        data={"csrf": csrf, "action": "approve"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/review?done=approved"
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "delivered"
    assert "Saved: approved." in client.get(response.headers["location"]).text


def test_edit_by_form(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)

    corrected = a_valid_correction(text)  # a sentence, or a label, JSON, code: by task kind

    client.post(
        f"/review/{review['review_id']}",
        data={"csrf": csrf, "action": "edit", "output": corrected},
    )

    task = client.get(f"/v1/tasks/{review['task_id']}").json()
    assert (task["status"], task["output"]) == ("delivered", task_kind.parse_output(corrected))


def test_reject_by_form(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)

    asked = client.post(f"/review/{review['review_id']}", data={"csrf": csrf, "action": "reject"})

    assert asked.status_code == 200
    assert "Reject this output?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "needs_review"

    client.post(
        f"/review/{review['review_id']}", data={"csrf": csrf, "action": "reject", "confirm": "yes"}
    )

    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "rejected"


def test_an_empty_edit_shows_the_form_again_with_a_message(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)

    page = client.post(
        f"/review/{review['review_id']}", data={"csrf": csrf, "action": "edit", "output": " "}
    )

    assert page.status_code == 422
    assert "Not saved: an edit needs the corrected output." in page.text


def test_a_decided_review_cannot_be_decided_again(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)
    client.post(f"/review/{review['review_id']}", data={"csrf": csrf, "action": "approve"})

    page = client.post(f"/review/{review['review_id']}", data={"csrf": csrf, "action": "reject"})

    assert page.status_code == 409
    assert "already decided" in page.text
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "delivered"


def test_a_form_posted_from_another_site_is_refused(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)

    response = client.post(
        f"/review/{review['review_id']}",
        data={"csrf": csrf, "action": "approve"},
        headers={"origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "needs_review"


def test_an_unknown_review_page_is_404(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/review/unknown")

    assert page.status_code == 404
    assert "Review not found" in page.text


def test_the_page_needs_a_signed_in_reviewer(make_client, text: str) -> None:
    client = make_client(review_all=True)
    review = pending_review(client, text)

    for path in ("/review", f"/review/{review['review_id']}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/review/login"
    posted = client.post(
        f"/review/{review['review_id']}", data={"action": "approve"}, follow_redirects=False
    )
    assert posted.status_code == 303
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "needs_review"


def test_a_client_token_cannot_sign_in(make_client) -> None:
    from {{ cookiecutter.package_name }}.auth import create_token

    client = make_client()
    token = create_token(client.settings, "shop-frontend", "client")

    page = client.post("/review/login", data={"token": token}, follow_redirects=False)

    assert page.status_code == 401
    assert "not a reviewer" in page.text
    assert "review_session" not in page.headers.get("set-cookie", "")


def test_the_session_cookie_is_http_only_and_same_site_strict(make_client) -> None:
    from {{ cookiecutter.package_name }}.auth import create_token

    client = make_client()
    token = create_token(client.settings, "Rita", "reviewer")

    response = client.post("/review/login", data={"token": token}, follow_redirects=False)

    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/review" in cookie
    assert token not in cookie


def test_a_form_without_the_csrf_token_is_refused(make_client, text: str) -> None:
    client = make_client(review_all=True)
    sign_in(client)
    review = pending_review(client, text)

    for csrf in ("", "forged"):
        response = client.post(
            f"/review/{review['review_id']}", data={"csrf": csrf, "action": "approve"}
        )
        assert response.status_code == 403
        assert "CSRF" in response.text
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "needs_review"


def test_an_unlisted_host_is_refused_even_when_origin_matches_it(make_client, text: str) -> None:
    """DNS rebinding: the attacker's name resolves to this server, so Host and Origin agree."""
    client = make_client(review_all=True)
    csrf = sign_in(client)
    review = pending_review(client, text)
    rebound = {"host": "evil.example", "origin": "http://evil.example"}

    page = client.get("/review", headers=rebound)
    posted = client.post(
        f"/review/{review['review_id']}", data={"csrf": csrf, "action": "approve"}, headers=rebound
    )

    assert page.status_code == 400 and "APP_ALLOWED_HOSTS" in page.text
    assert posted.status_code == 400
    assert client.get(f"/v1/tasks/{review['task_id']}").json()["status"] == "needs_review"


def test_the_decision_names_the_reviewer(make_client, text: str) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client, name="Rita Reviewer")
    review = pending_review(client, text)

    client.post(f"/review/{review['review_id']}", data={"csrf": csrf, "action": "approve"})

    [decided] = client.get("/v1/reviews?status=approved").json()
    assert decided["decided_by"] == "Rita Reviewer"


def test_signing_out_ends_the_session(make_client) -> None:
    client = make_client()
    csrf = sign_in(client)

    client.post("/review/logout", data={"csrf": csrf})

    assert client.get("/review", follow_redirects=False).status_code == 303


def queue(client: TestClient, count: int, label: str = "item") -> None:
    for n in range(count):
        client.post("/v1/tasks", json={"input": f"{golden_text()} ({label} {n})"})


def golden_text() -> str:
    from .conftest import golden_input

    return golden_input()


def review_links(html: str) -> list[str]:
    return re.findall(r'<a href="/review/([0-9a-f]{32})[^"]*">Review</a>', html)


def test_the_list_shows_output_age_reason_and_the_count(make_client) -> None:
    client = make_client(review_all=True)
    sign_in(client)
    queue(client, 3)
    [first, *_] = client.get("/v1/reviews").json()

    page = client.get("/review").text

    assert "3 waiting" in page
    assert len(review_links(page)) == 3
    assert "waiting 0 s" in page or "waiting 1 s" in page
    assert '<span class="reason">policy</span>' in page
    assert str(escape(first["output"][:40])) in page


def test_the_list_filters_by_reason_and_sorts_oldest_or_newest(make_client) -> None:
    client = make_client(review_all=True, review_sample_rate=0.0)
    sign_in(client)
    queue(client, 3)
    reviews = client.get("/v1/reviews").json()
    oldest_first = [review["review_id"] for review in reviews]

    assert review_links(client.get("/review").text) == oldest_first
    assert review_links(client.get("/review?sort=newest").text) == oldest_first[::-1]
    assert review_links(client.get("/review?reason=policy").text) == oldest_first
    assert review_links(client.get("/review?reason=sample").text) == []
    assert "Nothing to review." in client.get("/review?reason=sample").text


def test_the_list_pages_through_every_waiting_item(make_client, monkeypatch) -> None:
    monkeypatch.setattr(review_page, "PAGE_SIZE", 4)
    client = make_client(review_all=True)
    sign_in(client)
    queue(client, 10)
    everything = [review["review_id"] for review in client.get("/v1/reviews").json()]

    seen = []
    for number in (1, 2, 3):
        page = client.get(f"/review?page={number}").text
        assert f"Page {number} of 3" in page
        seen += review_links(page)

    assert seen == everything
    assert "Next page" not in client.get("/review?page=3").text
    assert "Page 3 of 3" in client.get("/review?page=99").text


def test_after_a_decision_the_next_item_opens(make_client) -> None:
    client = make_client(review_all=True)
    csrf = sign_in(client)
    queue(client, 2)
    first, second = client.get("/v1/reviews").json()

    response = client.post(
        f"/review/{first['review_id']}",
        data={"csrf": csrf, "action": "approve", "sort": "oldest"},
        follow_redirects=False,
    )

    assert response.headers["location"] == f"/review/{second['review_id']}?done=approved"
    page = client.get(response.headers["location"]).text
    assert "Saved: approved. This is the next item." in page
    last = client.post(
        f"/review/{second['review_id']}",
        data={"csrf": csrf, "action": "reject", "confirm": "yes"},
        follow_redirects=False,
    )
    assert last.headers["location"] == "/review?done=rejected"


def test_approve_and_reject_are_distinct_buttons(make_client, text: str) -> None:
    client = make_client(review_all=True)
    sign_in(client)
    review = pending_review(client, text)

    page = client.get(f"/review/{review['review_id']}").text

    assert '<button type="submit" class="approve">Approve</button>' in page
    assert '<button type="submit" class="reject">Reject…</button>' in page


@pytest.mark.parametrize(
    ("waited", "shown"),
    [(timedelta(seconds=5), "5 s"), (timedelta(minutes=12), "12 min"), (timedelta(days=2), "2 d")],
)
def test_ages_are_shown_in_one_unit(waited: timedelta, shown: str) -> None:
    now = datetime(2025, 1, 2, tzinfo=UTC)
    assert review_page.age(now - waited, now) == shown
