"""An API token issued without a second factor stops working once two-factor sign-in is
required of its user: the clinic turns ``requires_mfa`` on, the therapist becomes a clinic admin,
``MFA_REQUIRED`` is switched on, the user sets it up. A token issued with a code keeps working.
The browser session of the same user is asked for a code within the minute (tests/clinic/
accounts/test_mfa.py); before, a token kept full access for its 30 days."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinic.accounts import mfa
from clinic.accounts import services as account_services
from clinic.models import Clinic, Clinician, TokenSecondFactor, User
from tests import factories
from tests.admin_helpers import admin_url, post_data_from
from tests.clinic.accounts.test_mfa import code_for
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

ME = "/api/v1/me/"
NOW_REQUIRED = "Two-factor sign-in is now required for your account"


def sign_in(user: User, otp: str = "") -> APIClient:
    """The phone's sign-in: a token for this device, with a code when one is asked for."""
    data = {"email": user.email, "password": factories.PASSWORD}
    response = APIClient().post("/api/v1/auth/login/", {**data, "otp": otp}, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def therapist(*, requires_mfa: bool) -> Clinician:
    return factories.ClinicianFactory(clinic=factories.ClinicFactory(requires_mfa=requires_mfa))


def refused(client: APIClient) -> bool:
    response = client.get(ME)
    if response.status_code == 200:
        return False
    assert response.status_code == 401
    assert NOW_REQUIRED in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"
    return True


@pytest.mark.usefixtures("enforced")
def test_the_clinic_starting_to_require_it_refuses_a_token_issued_without(db: None) -> None:
    clinician = therapist(requires_mfa=False)
    phone = sign_in(clinician.user)
    assert not refused(phone)
    Clinic.objects.filter(pk=clinician.clinic_id).update(requires_mfa=True)  # no service call
    assert refused(phone)
    # Signing in again, now with a code, gives a token that works.
    device = TOTPDevice.objects.create(user=clinician.user, name=mfa.TOTP_NAME, confirmed=True)
    assert not refused(sign_in(clinician.user, otp=code_for(device)))


@pytest.mark.usefixtures("enforced")
def test_a_therapist_becoming_a_clinic_admin_loses_a_token_issued_without(db: None) -> None:
    clinician = therapist(requires_mfa=False)
    phone = sign_in(clinician.user)
    Clinician.objects.filter(pk=clinician.pk).update(role=Clinician.Role.ADMIN)
    assert refused(phone)


def test_switching_mfa_required_on_refuses_tokens_issued_while_off(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    clinician = therapist(requires_mfa=True)
    patient = factories.PatientFactory()
    phones = sign_in(clinician.user), sign_in(patient.user)
    settings.MFA_REQUIRED = True
    assert refused(phones[0])
    assert not refused(phones[1])  # a patient who has not set it up: nothing is required


@pytest.mark.usefixtures("enforced")
def test_a_patient_who_sets_it_up_signs_the_phone_in_again(db: None) -> None:
    patient = factories.PatientFactory()
    phone = sign_in(patient.user)
    TOTPDevice.objects.create(user=patient.user, name=mfa.TOTP_NAME, confirmed=True)
    assert refused(phone)


@pytest.mark.usefixtures("enforced")
def test_a_token_issued_with_a_code_keeps_working(db: None) -> None:
    clinician = therapist(requires_mfa=True)
    device = TOTPDevice.objects.create(user=clinician.user, name=mfa.TOTP_NAME, confirmed=True)
    phone = sign_in(clinician.user, otp=code_for(device))
    assert TokenSecondFactor.objects.filter(token__user=clinician.user).count() == 1
    Clinician.objects.filter(pk=clinician.pk).update(role=Clinician.Role.ADMIN)
    assert not refused(phone)
    assert account_services.security_policy_changed(users=[clinician.user]) == 0
    assert not refused(phone)


def test_without_mfa_required_nothing_changes(db: None) -> None:
    clinician = therapist(requires_mfa=True)
    phone = sign_in(clinician.user)
    assert not TokenSecondFactor.objects.exists()
    assert not refused(phone)


# --- Ending the affected tokens: the service, and the admin that calls it --------------------


def test_the_service_ends_the_tokens_issued_without_a_code(db: None) -> None:
    """``security_policy_changed``, the one call point of a tighter policy (the team and
    clinic settings pages, the admin, setting two-factor up): each named user's tokens issued
    without a code end; those issued with one stay; nobody else's change."""
    clinician = therapist(requires_mfa=False)
    colleague = factories.ClinicianFactory(clinic=clinician.clinic)
    # The colleague has set it up: one token without a code (issued before), one with.
    AuthToken.objects.create(user=colleague.user)
    account_services.api_token_create(user=colleague.user, second_factor=True)
    sign_in(clinician.user)
    patient = factories.PatientFactory(clinic=clinician.clinic)
    sign_in(patient.user)
    team = User.objects.filter(clinician__clinic=clinician.clinic)  # the two clinicians
    ended = account_services.security_policy_changed(users=team)
    assert ended == 2
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    left = AuthToken.objects.filter(user=colleague.user)
    assert [token.second_factor.token_id for token in left] == [token.digest for token in left]
    assert AuthToken.objects.filter(user=patient.user).count() == 1  # not named: untouched


def test_a_lost_device_ends_every_token(db: None) -> None:
    """A two-factor reset (the phone is lost): the tokens issued with its codes end too."""
    clinician = therapist(requires_mfa=True)
    account_services.api_token_create(user=clinician.user, second_factor=True)
    AuthToken.objects.create(user=clinician.user)
    assert account_services.api_tokens_end(user=clinician.user) == 2 + 1  # and the factor row
    assert not AuthToken.objects.filter(user=clinician.user).exists()


@pytest.mark.usefixtures("enforced")
def test_turning_requires_mfa_off_in_the_admin_ends_nothing(db: None) -> None:
    clinician = therapist(requires_mfa=True)
    AuthToken.objects.create(user=clinician.user)  # issued while MFA_REQUIRED was off, say
    client = verified_staff_client()
    url = admin_url(Clinic, "change", clinician.clinic_id)
    data = post_data_from(client.get(url), requires_mfa=None)
    assert client.post(url, data).status_code == 302
    assert not Clinic.objects.get(pk=clinician.clinic_id).requires_mfa
    assert AuthToken.objects.filter(user=clinician.user).count() == 1


def verified_staff_client() -> Client:
    """A superuser's browser, past two-factor sign-in."""
    staff = factories.StaffFactory()
    device = TOTPDevice.objects.create(user=staff, name=mfa.TOTP_NAME, confirmed=True)
    client = client_for(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.mark.usefixtures("enforced")
@pytest.mark.parametrize(
    "change",
    [{"requires_mfa": "on"}, {"clinicians-0-role": Clinician.Role.ADMIN}],
    ids=["the clinic requires it", "a role changed in the team inline"],
)
def test_saving_the_clinic_in_the_admin_so_it_applies_ends_their_tokens(
    change: dict[str, str], db: None
) -> None:
    clinician = therapist(requires_mfa=False)
    sign_in(clinician.user)
    client = verified_staff_client()
    url = admin_url(Clinic, "change", clinician.clinic_id)
    data = post_data_from(client.get(url), **change)
    assert client.post(url, data).status_code == 302
    clinician = Clinician.objects.select_related("clinic").get(pk=clinician.pk)
    assert clinician.clinic.requires_mfa or clinician.role == Clinician.Role.ADMIN  # saved
    assert not AuthToken.objects.filter(user=clinician.user).exists()


@pytest.mark.usefixtures("enforced")
def test_making_a_therapist_a_clinic_admin_in_the_admin_ends_their_tokens(db: None) -> None:
    clinician = therapist(requires_mfa=False)
    bystander = factories.ClinicianFactory(clinic=clinician.clinic)
    sign_in(clinician.user)
    sign_in(bystander.user)
    client = verified_staff_client()
    url = admin_url(Clinician, "change", clinician.pk)
    data = post_data_from(client.get(url), role=Clinician.Role.ADMIN)
    assert client.post(url, data).status_code == 302
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    assert AuthToken.objects.filter(user=bystander.user).count() == 1


@pytest.mark.usefixtures("enforced")
def test_setting_it_up_on_the_website_ends_the_phones_token(db: None) -> None:
    patient = factories.PatientFactory()
    sign_in(patient.user)
    browser = client_for(patient.user)
    browser.post("/account/mfa/setup/", {"start": "1"})  # the authenticator being set up
    device = TOTPDevice.objects.get(user=patient.user)
    response = browser.post("/account/mfa/setup/", {"code": code_for(device)})
    assert response.status_code == 200
    assert not AuthToken.objects.filter(user=patient.user).exists()
