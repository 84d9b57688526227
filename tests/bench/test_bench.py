"""The bench's baseline page and URLconf (no server, no Locust)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories


@pytest.fixture
def _bench_urls(settings) -> None:
    settings.ROOT_URLCONF = "bench.urls"


@pytest.mark.usefixtures("_bench_urls")
@pytest.mark.django_db
def test_the_baseline_page_is_for_signed_in_users_only() -> None:
    client = Client()
    assert client.get("/bench/baseline/").status_code == 302
    client.force_login(factories.UserFactory())
    response = client.get("/bench/baseline/")
    assert response.status_code == 200
    assert response.content.startswith(b"ok ")


@pytest.mark.usefixtures("_bench_urls")
def test_the_bench_urlconf_keeps_the_project_urls() -> None:
    assert reverse("bench_baseline") == "/bench/baseline/"
    assert reverse("rehab:today") == "/me/"
    assert reverse("api:log-list") == "/api/v1/logs/"
