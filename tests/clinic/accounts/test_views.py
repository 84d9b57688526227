"""The account page: two-factor state, sessions, and a patient's own data."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import mfa
from clinic.models import User
from tests import factories
from tests.conftest import client_for

ACCOUNT = "/account/"

pytestmark = pytest.mark.django_db


def page(user: User) -> str:
    response = client_for(user).get(ACCOUNT)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_patient_without_two_factor_is_offered_it_and_their_data() -> None:
    user = factories.PatientFactory().user
    html = page(user)
    assert "Set up two-factor sign-in" in html
    assert "/account/mfa/setup/" in html
    assert "/account/sessions/" in html
    assert "/me/export/" in html
    assert "/me/export.json" in html
    assert "/me/access-history/" in html


def test_a_patient_with_two_factor_may_turn_it_off() -> None:
    user = factories.PatientFactory().user
    TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    mfa.create_recovery_codes(user)
    html = page(user)
    assert "You have 10 recovery codes left." in html
    assert "/account/mfa/recovery-codes/" in html
    assert "/account/mfa/turn-off/" in html


def test_a_clinic_admin_is_told_their_role_needs_it_and_cannot_turn_it_off() -> None:
    user = factories.ClinicAdminFactory().user
    assert "Your role needs two-factor sign-in" in page(user)
    TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    html = page(user)
    assert "/account/mfa/turn-off/" not in html
    assert "/me/export/" not in html  # a clinician has no patient record of their own


def test_every_page_links_to_the_account() -> None:
    client = client_for(factories.ClinicianFactory().user)
    assert 'href="/account/"' in client.get("/clinic/").content.decode()
