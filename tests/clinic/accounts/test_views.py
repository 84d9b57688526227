"""The account page: two-factor state, sessions, and a patient's own data; the password change
pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import mfa
from clinic.models import Clinician, User
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


# --- Changing the password -------------------------------------------------------------------


def _title(content: str) -> str:
    title = re.search(r"<title>(.*?)</title>", content, re.S)
    assert title is not None
    return " ".join(title.group(1).split())


@pytest.mark.parametrize("who", ["patient", "therapist"])
def test_the_password_change_page_is_the_sites_own_page(who: str, clinician: Clinician) -> None:
    """Open to every signed-in user, it extends the site's base.html (its title, navigation
    and words), like the password-reset pages beside it, not the Django admin's page ("Django
    administration", a "Home" link to /admin/ a patient may not open; from review)."""
    user = (
        factories.PatientFactory(clinic=clinician.clinic, user=factories.UserFactory()).user
        if who == "patient"
        else clinician.user
    )
    response = client_for(user).get(reverse("password_change"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Django administration" not in content
    assert "Django site admin" not in content
    assert _title(content) == f"Change your password – {settings.SITE_NAME}"
    assert 'href="/account/"' in content  # the site's navigation
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{name}" class="form-label">' in content


def test_a_wrong_old_password_is_said_on_its_field(clinician: Clinician) -> None:
    response = client_for(clinician.user).post(
        reverse("password_change"),
        {
            "old_password": "not-the-password-at-all",
            "new_password1": "a-brand-new-long-passphrase-42",
            "new_password2": "a-brand-new-long-passphrase-42",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'aria-invalid="true"' in content
    assert 'id="id_old_password_error"' in content
    assert "Your old password was entered incorrectly." in content


def test_the_password_changed_page_is_the_sites_own_page(clinician: Clinician) -> None:
    response = client_for(clinician.user).get(reverse("password_change_done"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Django administration" not in content
    assert _title(content) == f"Password changed – {settings.SITE_NAME}"
    assert "everywhere else you were signed in is signed out" in content


def test_the_account_page_links_to_the_password_change() -> None:
    html = page(factories.PatientFactory().user)
    assert f'href="{reverse("password_change")}"' in html
