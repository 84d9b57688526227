"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server. Skipped, with a clear reason, where Chromium is not installed.

Screenshots go to ``artifacts/screenshots/`` (CI keeps that folder's contents in its output).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.signals import request_finished, request_started
from django.test.client import ClientHandler
from playwright.sync_api import Browser, BrowserContext, Page, expect

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}  # the narrowest phone the standard names
DESKTOP = {"width": 1366, "height": 900}  # the desktop the accessibility standard names

# An expectation waits as long as an action does (the context's default, below): under a
# full run on two cores the live server's answer to a tick has taken over the 5 s default, and
# "Saved." then failed to show in time although it was stored (seen twice on a clean clone).
expect.set_options(timeout=10_000)

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not HAVE_CHROMIUM:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


class _ServerRequests:
    """The live server's requests still being answered, counted through Django's
    ``request_started`` and ``request_finished`` signals (sent in the thread that answers the
    request; ``request_finished`` once the response is closed, after it was written or the
    browser went away). A page closed by the test is gone from the browser, but the server
    thread answering its last request goes on: a test ended then, the database was emptied
    under it (on PostgreSQL the flush waited for, or deadlocked with, its transaction, or it
    wrote rows after the flush that failed the next test) or it was refused ("Database access
    not allowed") once the test's database access had ended."""

    def __init__(self) -> None:
        self._settled = threading.Condition()
        self._paths: Counter[str] = Counter()
        self._local = threading.local()

    def started(self, sender: object, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        # The live server's WSGI requests only: not the test client's (answered in the test's
        # thread), nor an ASGI request (a scope, no environ; not answered in one thread).
        if environ is None or sender is ClientHandler:
            return
        path = f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"
        if not hasattr(self._local, "paths"):
            self._local.paths = []
        self._local.paths.append(path)
        with self._settled:
            self._paths[path] += 1

    def finished(self, sender: object, **kwargs: Any) -> None:
        paths = getattr(self._local, "paths", None)
        if sender is ClientHandler or not paths:
            return
        path = paths.pop()
        with self._settled:
            self._paths[path] -= 1
            self._paths += Counter()  # drop the paths at zero
            self._settled.notify_all()

    def reset(self) -> None:
        with self._settled:
            self._paths.clear()

    def wait_until_answered(self, seconds: float = 30) -> None:
        """Return once no request is being answered; fail, naming them, after ``seconds``."""
        with self._settled:
            if not self._settled.wait_for(lambda: not self._paths, timeout=seconds):
                raise AssertionError(
                    f"the live server was still answering {sorted(self._paths.elements())} "
                    f"{seconds:g} s after the browser closed"
                )


_server_requests = _ServerRequests()


@pytest.fixture(autouse=True)
def _count_server_requests() -> Iterator[None]:
    """The live server's requests are counted while a browser test runs, and only then: other
    tests call the WSGI application in-process too (tests/api/test_schema.py, through
    schemathesis) without closing every response, and those would never be counted as
    answered. Set up before the page fixtures, so it is torn down after they have waited."""
    _server_requests.reset()
    request_started.connect(_server_requests.started, dispatch_uid="e2e-server-requests")
    request_finished.connect(_server_requests.finished, dispatch_uid="e2e-server-requests")
    yield
    request_started.disconnect(dispatch_uid="e2e-server-requests")
    request_finished.disconnect(dispatch_uid="e2e-server-requests")


def close_context(context: BrowserContext) -> None:
    """Close the browser context, then wait until the live server has answered every request
    it had from the browser: no server thread is still reading or writing the database when
    the test's teardown empties it. Every browser context a test opens ends here (the page
    fixtures do this themselves)."""
    context.close()
    _server_requests.wait_until_answered()


def _context(browser: Browser, viewport: dict[str, int], **extra: Any) -> BrowserContext:
    # Reduced motion: Bootstrap then skips transitions, so axe measures settled colours.
    context = browser.new_context(
        viewport=viewport, locale="en-GB", reduced_motion="reduce", **extra
    )
    context.set_default_timeout(10_000)
    return context


def _watched_page(context: BrowserContext) -> Iterator[Page]:
    """A page whose Content-Security-Policy violations fail the test at teardown."""
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text[:120]} at {msg.location}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    close_context(context)
    assert not violations, "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a 390×844 phone viewport with touch."""
    yield from _watched_page(_context(browser, PHONE, has_touch=True, is_mobile=True))


@pytest.fixture
def small_phone(browser: Browser) -> Iterator[Page]:
    """A page in a 360×740 phone viewport with touch."""
    yield from _watched_page(_context(browser, SMALL_PHONE, has_touch=True, is_mobile=True))


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    yield from _watched_page(_context(browser, DESKTOP))


_axe = Axe()


def assert_accessible(page: Page, label: str = "") -> None:
    """No axe-core violation, of any impact (minor and moderate too), on the page as it is
    now: the standard is axe-clean."""
    results = _axe.run(page)
    blocking = results.response["violations"]
    detail = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n.get("target", [""])[0] for n in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"accessibility violations on {label or page.url}:\n{detail}"


def screenshot(page: Page, journey: str, name: str) -> Path:
    width = page.viewport_size["width"] if page.viewport_size else 0
    size = "phone" if width and width < 600 else "desktop"
    folder = ARTIFACTS / journey
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    if page.viewport_size:
        # A full-page capture under mobile emulation can leave the device metrics stretched,
        # so that later taps land on the wrong element; put the viewport back.
        page.set_viewport_size(page.viewport_size)
    return path


def check_page(page: Page, journey: str, name: str) -> None:
    """Screenshot the page and check it at the two sizes the engineering standard names, a
    360×740 phone and a 1366×900 desktop: axe, and no sideways scrolling (the page no wider
    than the window). Then put the journey's viewport back."""
    own = page.viewport_size or DESKTOP
    for size in (SMALL_PHONE, DESKTOP):
        page.set_viewport_size(size)
        screenshot(page, journey, name)
        where = f"{journey}/{name} at {size['width']}px"
        assert_accessible(page, where)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{where} is {width}px wide"
    page.set_viewport_size(own)
