"""What the fault tests share: a local port that refuses connections, and a client signed in
the way a phone is (a knox token issued by the API's sign-in)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from clinic.models import User
from tests import factories


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A TCP port on this machine that refuses every connection: bound, never listening (so no
    other process can take it while the test runs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def phone(user: User) -> APIClient:
    """An API client signed in through ``POST /api/v1/auth/login/``; it raises nothing, as a
    phone would see the answer of a server that failed."""
    client = APIClient(raise_request_exception=False)
    response = client.post(
        "/api/v1/auth/login/",
        {"email": user.email, "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client
