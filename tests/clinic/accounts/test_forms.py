"""The sign-in form: an email input, so phones show the keyboard with @."""

from __future__ import annotations

import re

from django.test import Client

from clinic.accounts.forms import SignInForm
from tests import factories


def test_the_sign_in_page_asks_for_the_email_in_an_email_input(db: None) -> None:
    page = Client().get("/accounts/login/").content.decode()
    field = re.search(r"<input[^>]*name=\"username\"[^>]*>", page)
    assert field is not None
    assert 'type="email"' in field.group(0)
    assert 'autocomplete="username"' in field.group(0)
    assert re.search(r"<label[^>]*for=\"id_username\"", page)  # still labelled


def test_each_form_has_its_own_widget(db: None) -> None:
    first, second = SignInForm(), SignInForm()
    assert first.fields["username"].widget is not second.fields["username"].widget
    assert first.fields["username"].widget.input_type == "email"


LONG_EMAIL = "a" * 100_000 + "@example.org"


def test_an_email_longer_than_any_account_s_is_a_failed_sign_in(db: None) -> None:
    """No account has an email over 254 characters: such a sign-in fails like a wrong
    password, without looking for it (SQLite refused the 100,000-character look-up: a 503)."""
    factories.UserFactory.create()
    form = SignInForm(data={"username": LONG_EMAIL, "password": "secret"})
    assert not form.is_valid()
    assert form.non_field_errors() == [str(form.get_invalid_login_error().messages[0])]


def test_the_sign_in_page_answers_a_long_email_with_its_error(db: None) -> None:
    factories.UserFactory.create()
    response = Client(raise_request_exception=False).post(
        "/accounts/login/", {"username": LONG_EMAIL, "password": "secret"}
    )
    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower()
