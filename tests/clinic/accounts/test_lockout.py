"""Sign-in with a username longer than any email: a failed sign-in like any other (it
overflowed django-axes' attempt record: a 500 for anyone, on the sign-in page and the admin's).
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.lockout import AXES_USERNAME_MAX

LONG = "a" * 300 + "@example.org"
WRONG = "not-the-password-at-all"
FAILED = "Please enter a correct email address and password"


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_username_over_255_characters_is_a_failed_sign_in(db: None, url: str) -> None:
    client = Client(raise_request_exception=False)
    codes = [client.post(url, {"username": LONG, "password": WRONG}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the form with its error, then the lockout
    first = client.post(url, {"username": LONG.upper(), "password": WRONG})
    assert first.status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.username == LONG[:AXES_USERNAME_MAX]
    assert attempt.failures_since_start >= 5


def test_the_page_says_what_it_says_to_any_failed_sign_in(db: None) -> None:
    response = Client().post("/accounts/login/", {"username": LONG, "password": WRONG})
    assert response.status_code == 200
    assert FAILED in response.content.decode()


def test_the_api_refuses_it_as_invalid_input(db: None) -> None:
    response = APIClient().post(
        "/api/v1/auth/login/", {"email": LONG, "password": WRONG}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()


def test_the_cut_is_the_length_of_django_axes_username_column() -> None:
    assert AXES_USERNAME_MAX == AccessAttempt._meta.get_field("username").max_length == 255
