from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
def test_health_answers_ok(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_every_page_names_its_icon(client: Client) -> None:
    """Without a <link rel="icon"> the browser asks for /favicon.ico, which answers 404 on
    every page (an error in the console); the app's own icon is named instead."""
    html = client.get("/accounts/login/").content.decode()
    found = re.search(r'<link rel="icon" href="/static/(icons/[^"]+)"', html)
    assert found
    assert (Path(settings.BASE_DIR) / "static" / found.group(1)).is_file()
