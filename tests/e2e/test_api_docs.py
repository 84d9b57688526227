"""The API's docs page in a real browser: Swagger UI loads from the sidecar's static files and
lists the operations under the site's Content-Security-Policy, with no violation reported
(the ``desktop`` page fails its test at teardown on one, ``tests/e2e/conftest.py``).

It uses pytest-playwright's browser like every browser test: a ``sync_playwright()`` of its
own failed whenever the suite's random order ran it after another browser test ("Sync API
inside the asyncio loop": that browser's loop is still running in this thread)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests import factories


def test_swagger_ui_renders_under_the_csp(live_server: Any, desktop: Page) -> None:
    clinician = factories.ClinicianFactory()
    page = desktop
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.fill("input[name=username]", clinician.user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form [type=submit]")
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 40
    assert not [line for line in console if "Content Security Policy" in line], console
