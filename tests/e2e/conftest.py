"""Browser test fixtures: a real `casework serve` on a scratch database, headless Chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from api.database import ConnectionTarget
from tests.conftest import make_database
from tests.e2e.cases import Server
from tests.integration.test_cli import CASEWORK
from tests.system.test_serve_embedded import free_port

CHROMIUM = "/usr/bin/chromium"
STARTUP_SECONDS = 30.0
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "ui"

expect.set_options(timeout=10_000)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


@pytest.fixture(scope="package")
def web_server(
    server: ConnectionTarget, scratch_databases: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`casework serve --migrate` on a database of its own, until the session ends."""
    target = make_database(server, scratch_databases, "e2e")
    port = free_port()
    secret = "e2e-" + uuid.uuid4().hex + uuid.uuid4().hex
    env = {
        **os.environ,
        "DATABASE_URL": target.url,
        "CASEWORK_JWT_SECRET": secret,
        "CASEWORK_DATA_DIR": str(tmp_path_factory.mktemp("e2e-data")),
        "CASEWORK_PROJECTION_WAIT": "10",
    }
    process = subprocess.Popen(
        [CASEWORK, "serve", "--port", str(port), "--migrate"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        status, page = _get(f"{url}/healthz")
        while status != 200 and time.monotonic() - started < STARTUP_SECONDS:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.1)
            status, page = _get(f"{url}/healthz")
        assert status == 200, page
        status, page = _get(f"{url}/")
        assert (status, 'id="main"' in page) == (200, True), (
            "`casework serve` does not serve the web UI at / (is mount_web(app) in api/http.py?)"
        )
        yield Server(url, secret)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


# Package scope: Playwright's sync API holds an event loop on this thread while it runs, so it
# must stop when the browser tests end, before any asyncio test of the session.
@pytest.fixture(scope="package")
def driver() -> Iterator[Playwright]:
    """Playwright, driving the system's Chromium (browsers cannot be downloaded here)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(driver: Playwright) -> Iterator[Browser]:
    """Headless Chromium."""
    launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def tab(chromium: Browser, web_server: Server) -> Iterator[Page]:
    """A fresh tab (its own storage) in China's locale and time zone; fails on any script error."""
    context = chromium.new_context(
        base_url=web_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


@pytest.fixture
def sign_in(tab: Page) -> Callable[[str], None]:
    """Sign in on the login page with a token; the queue opens."""

    def enter(token: str) -> None:
        tab.goto("/#/login")
        tab.get_by_label("访问令牌").fill(token)
        tab.get_by_role("button", name="登录").click()
        expect(tab.get_by_role("heading", name="待办队列")).to_be_visible()

    return enter


@pytest.fixture
def screenshot(tab: Page, tmp_path: Path) -> Callable[[str], None]:
    """Save the page as <name>.png: in docs/ui/ (the README links them) when
    CASEWORK_UI_SCREENSHOTS=1, else beside the test, so a test run leaves the checkout as it was.
    """
    folder = SCREENSHOTS if os.environ.get("CASEWORK_UI_SCREENSHOTS") == "1" else tmp_path

    def take(name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0

    return take
