"""bench/data.py: the accounts it signs in as are the ones seed_scale makes (without importing
seed_scale: the bench knows the app only through its commands, URLs and tables)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from bench import data
from tests.conftest import client_for


@pytest.mark.django_db
def test_the_bench_accounts_sign_in_and_the_therapists_need_no_second_factor(settings) -> None:
    call_command("loaddata", "library", "protocols", verbosity=0)
    output = StringIO()
    call_command("seed_scale", "--force", "--clinics=2", "--patients=6", "--days=3", stdout=output)
    assert data.PASSWORD in output.getvalue()
    assert data.BENCH_PATIENT in output.getvalue()
    for email in (data.BENCH_PATIENT, *data.THERAPISTS, data.CLINIC_ADMIN):
        assert authenticate(username=email, password=data.PASSWORD) is not None, email

    # The mix signs clinicians in through the form alone: therapists, not the clinic admin,
    # whom two-factor sign-in asks for a code (bench.pages turns it off instead).
    settings.MFA_REQUIRED = True
    users = get_user_model().objects
    for email in data.THERAPISTS:
        client = client_for(users.get(email=email))
        assert client.get("/clinic/").status_code == 200, email
    admin = client_for(users.get(email=data.CLINIC_ADMIN))
    assert admin.get("/clinic/")["Location"].startswith("/account/mfa/")
