"""Authentication is on by default: tokens from the CLI, roles per route, APP_AUTH=off."""

import logging
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.auth import create_token

from .test_cli import SCRIPT


def test_the_api_needs_a_token(make_client, text: str) -> None:
    client = make_client(role=None)

    for method, path, body in [
        ("POST", "/v1/tasks", {"input": text}),
        ("GET", "/v1/tasks/any", None),
        ("GET", "/v1/reviews", None),
        ("POST", "/v1/reviews/any", {"action": "approve"}),
    ]:
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        forged = client.request(method, path, json=body, headers={"Authorization": "Bearer nope"})
        assert forged.status_code == 401


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("client", {"create task", "read task"}),
        ("reviewer", {"read task", "list reviews"}),
        ("admin", {"create task", "read task", "list reviews"}),
    ],
)
def test_each_role_may_use_its_routes_only(make_client, text: str, role: str, allowed) -> None:
    admin = make_client()
    task = admin.post("/v1/tasks", json={"input": text}).json()
    client = make_client(role=role)

    answers = {
        "create task": client.post("/v1/tasks", json={"input": text}).status_code,
        "read task": client.get(f"/v1/tasks/{task['task_id']}").status_code,
        "list reviews": client.get("/v1/reviews").status_code,
    }

    for what, status in answers.items():
        assert status == (403 if what not in allowed else status), (what, status)
        assert status not in (401, 500), (what, status)
        if what in allowed:
            assert status < 400, (what, status)


def test_health_and_metrics_stay_open(make_client) -> None:
    client = make_client(role=None)

    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_token_create_prints_the_token_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    database = tmp_path / "tokens.db"
    env = {**os.environ, "APP_DATABASE_URL": f"sqlite:///{database}"}

    result = subprocess.run(
        [SCRIPT, "token", "create", "--name", "shop-frontend", "--role", "client"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) > 30 and " " not in token
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name, role, token_hash FROM api_tokens").fetchall()
    assert [(name, role) for name, role, _ in rows] == [("shop-frontend", "client")]
    assert token not in rows[0][2]
    assert token.encode() not in database.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", " ", "--role", "client"], "--name: must not be empty"),
        (["--name", "x" * 101, "--role", "client"], "--name: at most 100 characters"),
        (["--name", "ok", "--role", "root"], "invalid choice: 'root'"),
    ],
)
def test_token_create_refuses_bad_arguments(tmp_path: Path, args, message: str) -> None:
    env = {**os.environ, "APP_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}

    result = subprocess.run(
        [SCRIPT, "token", "create", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_auth_off_lets_everyone_in_and_warns_loudly(make_client, text: str, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        client = make_client(role=None, auth="off")

    assert client.post("/v1/tasks", json={"input": text}).status_code < 400
    assert client.get("/v1/reviews").status_code == 200
    assert any("APP_AUTH=off: NO AUTHENTICATION" in r.getMessage() for r in caplog.records)


def test_a_token_from_another_database_is_unknown(make_client, tmp_path: Path, text: str) -> None:
    client = make_client(role=None)
    elsewhere = client.settings.model_copy(  # type: ignore[attr-defined]
        update={"database_url": f"sqlite+pysqlite:///{tmp_path}/other.db"}
    )
    token = create_token(elsewhere, "stranger", "admin")

    response = client.get("/v1/reviews", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
