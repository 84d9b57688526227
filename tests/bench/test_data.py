"""bench/data.py: the accounts it signs in as are the ones seed_scale makes (without importing
seed_scale: the bench knows the app only through its commands, URLs and tables)."""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from bench import data
from tests.conftest import client_for


@pytest.mark.usefixtures("seeded")
def test_the_bench_accounts_sign_in_and_the_therapists_need_no_second_factor(settings) -> None:
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


def test_row_ids_reads_the_opaque_ids_pages_write_through_manage_py(settings) -> None:
    """The mix acknowledges alerts by the address the page gives (an opaque id, core.ids);
    make bench counts them in rehab_alert by row id. It failed at that count once addresses
    became opaque ("invalid input syntax for type bigint"). Digits (older code's addresses)
    stay as they are; a string that is no row's address matches no row."""
    from core.ids import opaque  # noqa: PLC0415  (the test may know the app; the bench not)

    env = {**os.environ, "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "1"}
    assert data.row_ids(env, [opaque(17), "42", opaque(5), "notAnId1"]) == ["17", "42", "5", "-1"]
    assert data.row_ids(env, ["7", "8"]) == ["7", "8"]  # no app process needed
