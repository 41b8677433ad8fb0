"""Shared fixtures for the browser tests: a localhost HTTP server and headless Chromium.

Theory of operation
-------------------
The tests drive Debian's Chromium (``/usr/bin/chromium``) through Debian's
ChromeDriver (``/usr/bin/chromedriver``) with Selenium. Both come from the
same Debian source package, so their versions always match, and Selenium is
given both paths, so it never downloads a driver or a browser. Where either
is missing (or Selenium is not installed) every test that uses ``browser`` or
``page`` is skipped with a message that says how to install it.

Fixtures
--------
``free_port``
    A TCP port on 127.0.0.1 that nothing listens on (for a server you start).
``serve_directory``
    ``serve_directory(path) -> base_url``: serves a folder over HTTP on a free
    localhost port for the rest of the session (``http://127.0.0.1:PORT/``).
``browser``
    One headless Chromium for the session (Selenium ``WebDriver``), with the
    browser console and the network log recorded.
``page``
    A :class:`BrowserPage` on that browser: ``page.goto(url)`` loads a page
    and returns what happened (HTTP status of the document, console errors,
    failed requests, every URL requested); ``page.screenshot(path)``;
    ``page.run_axe(...)`` runs the axe-core accessibility engine.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("COURSE_CHROMEDRIVER", "/usr/bin/chromedriver"))
INSTALL_HINT = "sudo apt-get install chromium chromium-driver"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1440,900",  # wide enough for Furo to show both TOCs
)
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"


# -- Server -------------------------------------------------------------------


def find_free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return find_free_port()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serving(directory: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``directory`` on a free port of ``host``; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"http:{directory}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def serve_directory() -> Iterator[Callable[[Path], str]]:
    """``serve_directory(path) -> base_url``; servers stop at the end of the session."""
    stack = contextlib.ExitStack()
    served: dict[Path, str] = {}

    def serve(directory: Path) -> str:
        directory = Path(directory).resolve()
        if directory not in served:
            served[directory] = stack.enter_context(serving(directory))
        return served[directory]

    with stack:
        yield serve


# -- Browser ------------------------------------------------------------------


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"browser tests need Debian's Chromium and ChromeDriver ({', '.join(missing)} missing): {INSTALL_HINT}")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need Selenium: .venv/bin/pip install -r requirements-site.txt (make test does this)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Selenium WebDriver) for the whole session."""
    _require_browser()
    # Selenium Manager is never needed (both paths are given); make sure it
    # neither downloads anything nor reports usage if it is ever consulted.
    os.environ.setdefault("SE_OFFLINE", "true")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    url: str
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


class BrowserPage:
    """A thin helper over the session's WebDriver for one test."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def _drain_logs(self) -> tuple[list[dict], list[dict]]:
        return self.driver.get_log("browser"), self.driver.get_log("performance")

    def goto(self, url: str, *, settle: float = 0.2, timeout: float = 30) -> PageLoad:
        """Load ``url``, wait for it to finish, and report status, errors and requests."""
        self._drain_logs()
        self.driver.get(url)
        deadline = time.monotonic() + timeout
        while self.driver.execute_script("return document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading in {timeout} s")
            time.sleep(0.05)
        time.sleep(settle)  # let late script errors and requests reach the logs
        console, perf = self._drain_logs()
        load = PageLoad(url=url, status=None)
        load.console_errors = [e["message"] for e in console if e.get("level") == "SEVERE"]
        urls: dict[str, str] = {}
        for entry in perf:
            msg = json.loads(entry["message"])["message"]
            method, params = msg.get("method"), msg.get("params", {})
            if method == "Network.requestWillBeSent":
                request_url = params["request"]["url"]
                urls[params["requestId"]] = request_url
                if not request_url.startswith("data:"):
                    load.requested.append(request_url)
            elif method == "Network.responseReceived":
                response = params["response"]
                if params.get("type") == "Document" and response["url"].split("#")[0] == url.split("#")[0]:
                    load.status = response["status"]
                if response["status"] >= 400:
                    load.failed_requests.append(f"{response['status']} {response['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                load.failed_requests.append(f"{params.get('errorText')} {urls.get(params['requestId'], '?')}")
        return load

    def screenshot(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path

    def set_color_scheme(self, scheme: str) -> None:
        """Emulate ``prefers-color-scheme`` (``"light"`` or ``"dark"``)."""
        self.driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
        )

    def run_axe(self, *, rules: list[str] | None = None, tags: list[str] | None = None, disable: list[str] | None = None) -> list[dict]:
        """Run axe-core on the current page; return its violations.

        ``rules`` or ``tags`` (e.g. ``["wcag2a", "wcag2aa"]``) choose what runs;
        ``disable`` turns single rules off.
        """
        from axe_core_python import __file__ as axe_pkg

        if not self.driver.execute_script("return typeof window.axe !== 'undefined'"):
            script = (Path(axe_pkg).parent / "axe.min.js").read_text(encoding="utf-8")
            self.driver.execute_script(script)
        options: dict[str, Any] = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = {"type": "rule", "values": rules}
        elif tags:
            options["runOnly"] = {"type": "tag", "values": tags}
        if disable:
            options["rules"] = {rule: {"enabled": False} for rule in disable}
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, arguments[0]).then(r => done(r.violations), e => done([{id: 'axe-error', description: String(e), nodes: []}]));",
            options,
        )
        return result


@pytest.fixture
def page(browser: Any) -> Iterator[BrowserPage]:
    """A :class:`BrowserPage`; the colour scheme is reset to light afterwards."""
    helper = BrowserPage(browser)
    browser.set_script_timeout(60)
    yield helper
    with contextlib.suppress(Exception):
        helper.set_color_scheme("light")
