"""The docs page in a real browser: Swagger UI loads from the sidecar's static files and lists
the operations under the site's Content-Security-Policy, with no violation reported."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests import factories

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM}"),
]


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_under_the_csp(live_server: Any, monkeypatch: Any) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    clinician = factories.ClinicianFactory()
    console: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.on("console", lambda message: console.append(message.text))
            page.goto(f"{live_server.url}/api/v1/docs/")
            page.fill("input[name=username]", clinician.user.email)
            page.fill("input[name=password]", factories.PASSWORD)
            page.click("form [type=submit]")
            page.goto(f"{live_server.url}/api/v1/docs/")
            page.wait_for_selector(".opblock")
            assert page.locator(".opblock").count() > 40
        finally:
            browser.close()
    assert not [line for line in console if "Content Security Policy" in line], console
