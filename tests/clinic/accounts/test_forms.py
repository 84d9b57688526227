"""The sign-in form: an email input, so phones show the keyboard with @."""

from __future__ import annotations

import re

from django.test import Client

from clinic.accounts.forms import SignInForm


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
