"""The console script: ``serve`` runs the real server; ``--help`` lists the commands."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SCRIPT_NAME = "{{ cookiecutter.project_slug }}"
SCRIPT = shutil.which(SCRIPT_NAME) or str(Path(sys.executable).parent / SCRIPT_NAME)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_lists_the_commands() -> None:
    result = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0
    assert "serve" in result.stdout
    assert "eval" in result.stdout


def test_serve_answers_requests(tmp_path: Path, text: str) -> None:
    port = free_port()
    env = {**os.environ, "APP_DATABASE_URL": f"sqlite:///{tmp_path}/served.db"}
    created = subprocess.run(
        [SCRIPT, "token", "create", "--name", "cli-test", "--role", "client"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [SCRIPT, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the server did not start within 30 s"
            time.sleep(0.1)

        refused = httpx.post(f"{base}/v1/tasks", json={"input": text}, timeout=10)
        response = httpx.post(
            f"{base}/v1/tasks",
            json={"input": text},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

        assert refused.status_code == 401

        assert response.status_code == {{ 202 if cookiecutter.async_pipeline else 200 }}
        assert response.json()["status"] in ({{ '"queued",' if cookiecutter.async_pipeline else '"delivered", "needs_review"' }})
    finally:
        server.terminate()
        server.wait(timeout=10)
