import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from api.auth import issue_token
from tests.integration.test_cli import CASEWORK

STARTUP_LIMIT_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SECRET = "serve-test-" + uuid.uuid4().hex


def ask_typename(port: int) -> dict[str, object] | None:
    token = issue_token(SECRET, user="probe", role="auditor", organisation="ops")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": "{ __typename }"}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return dict(json.loads(response.read()))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def health(port: int) -> dict[str, object]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return dict(json.loads(error.read()))


def views_run_in(port: int, limit: float) -> dict[str, object]:
    deadline = time.monotonic() + limit
    body = health(port)
    while time.monotonic() < deadline:
        views = body.get("projections")
        assert isinstance(views, dict), body
        if all(v["runner"] == "active" for v in views.values()):
            return body
        time.sleep(0.1)
        body = health(port)
    return body


def test_serve_starts_an_embedded_postgresql_answers_graphql_and_stops_it(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CASEWORK_DATA_DIR"] = str(tmp_path)
    env["CASEWORK_JWT_SECRET"] = SECRET
    started = time.monotonic()
    server = subprocess.Popen(
        [CASEWORK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        while answer is None and time.monotonic() - started < STARTUP_LIMIT_SECONDS:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            answer = ask_typename(port)
            if answer is None:
                time.sleep(0.2)
        assert answer == {"data": {"__typename": "Query"}}
        assert (tmp_path / "pgdata" / "postmaster.pid").exists()
        # serve keeps the views itself: each has an active runner, caught up.
        body = views_run_in(port, STARTUP_LIMIT_SECONDS)
        assert body["status"] == "ok", body
        views = body["projections"]
        assert isinstance(views, dict)
        assert views, body
        assert all(v["lag"] == 0 for v in views.values()), body
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert server.returncode in (0, -signal.SIGTERM), output
    # The embedded server was stopped with Casework: its pid file is gone.
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), output
