"""`assessor evidence pull`: the bearer token is sent, and HTTP errors are clear messages.

The round trip with the real generated service is in
tests/scaffold/test_scaffold_evidence_loop.py; this local server tests the error paths.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from evidence_support import read_yaml, recent, write_assessment

QUALITY = {
    "format": "assessor-quality",
    "format_version": 1,
    "n": 400,
    "errors": 1,
    "rate": 0.0025,
    "window": {"from": None, "to": recent(0)},
    "measured_at": recent(0),
    "model": "gpt-4o-mini",
}


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Handler.seen.append(self.headers.get("Authorization", ""))
        if self.headers.get("Authorization") != "Bearer good":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps(QUALITY if self.path == "/v1/quality" else {"odd": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_pull_sends_the_token_and_records_the_estimate(
    cli: Any, tmp_path: Path, server: str
) -> None:
    file = write_assessment(tmp_path / "a.yaml")
    result = cli("evidence", "pull", file, server, "--token", "good")
    assert result.exit_code == 0, result.output
    assert Handler.seen[-1] == "Bearer good"
    [entry] = read_yaml(file)["evidence"]
    assert (entry["kind"], entry["n"], entry["errors"]) == ("service-quality", 400, 1)
    assert entry["path"] == f"{server}/v1/quality"
    assert entry["model"] == "gpt-4o-mini"


def test_a_refused_token_is_a_clear_error_and_changes_nothing(
    cli: Any, tmp_path: Path, server: str
) -> None:
    file = write_assessment(tmp_path / "a.yaml")
    before = file.read_text()
    result = cli("evidence", "pull", file, server, "--token", "bad")
    assert result.exit_code == 1
    assert "HTTP 401" in result.stderr and "token missing or not valid" in result.stderr
    assert file.read_text() == before


def test_not_a_quality_endpoint_is_exit_2(cli: Any, tmp_path: Path, server: str) -> None:
    file = write_assessment(tmp_path / "a.yaml")
    result = cli("evidence", "pull", file, server + "/other", "--token", "good")
    assert result.exit_code == 2
    assert "not a service-quality file" in result.stderr


def test_only_http_urls(cli: Any, tmp_path: Path) -> None:
    file = write_assessment(tmp_path / "a.yaml")
    result = cli("evidence", "pull", file, "file:///etc/passwd", "--token", "t")
    assert result.exit_code == 2
    assert "expected an http:// or https:// URL" in result.stderr
