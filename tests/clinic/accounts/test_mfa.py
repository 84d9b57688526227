"""Two-factor sign-in (issue 7, item 1): who must use it, enrolment, codes, the admin, the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from clinic.accounts import mfa
from clinic.models import Clinic, User
from tests import factories
from tests.clinic.conftest import START
from tests.conftest import client_for, writes

SETUP = "/account/mfa/setup/"
VERIFY = "/account/mfa/verify/"
API_LOGIN = "/api/v1/auth/login/"

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    return device, mfa.create_recovery_codes(user)


def therapist(*, requires_mfa: bool) -> User:
    clinic = factories.ClinicFactory(requires_mfa=requires_mfa)
    return factories.ClinicianFactory(clinic=clinic).user


def patient_user() -> User:
    return factories.PatientFactory().user


def goes_to(response: Any, prefix: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(prefix)


# --- Who must use it -------------------------------------------------------------------------


@pytest.mark.usefixtures("enforced")
@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(factories.StaffFactory, id="staff"),
        pytest.param(
            lambda: factories.ClinicAdminFactory(clinic__requires_mfa=False).user, id="clinic_admin"
        ),
        pytest.param(lambda: therapist(requires_mfa=True), id="therapist_of_requiring_clinic"),
    ],
)
def test_those_who_must_are_sent_to_setup_then_to_verify(make_user: Any, clock: Any) -> None:
    user = make_user()
    client = client_for(user)
    assert goes_to(client.get("/"), f"{SETUP}?next=%2F")

    device, _codes = enrol(user)
    response = client.get("/")
    assert goes_to(response, f"{VERIFY}?next=%2F")
    assert goes_to(client.get("/"), VERIFY)  # still, until verified

    response = client.post(VERIFY, {"code": code_for(device), "next": "/"})
    assert goes_to(response, "/")
    assert not goes_to(client.get("/"), "/account/mfa/")


@pytest.mark.usefixtures("enforced")
def test_a_therapist_of_a_clinic_not_requiring_it_is_not_asked() -> None:
    client = client_for(therapist(requires_mfa=False))
    response = client.get("/")
    assert not goes_to(response, "/account/mfa/")


@pytest.mark.usefixtures("enforced")
def test_a_patient_is_asked_only_once_they_have_set_it_up(clock: Any) -> None:
    user = patient_user()
    client = client_for(user)
    assert not goes_to(client.get("/"), "/account/mfa/")
    assert client.get(SETUP).status_code == 200  # they may opt in

    enrol(user)
    client = client_for(user)
    assert goes_to(client.get("/"), VERIFY)


def test_with_mfa_required_off_nobody_is_asked(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    staff = factories.StaffFactory()
    enrol(staff)
    client = client_for(staff)
    assert client.get("/admin/").status_code == 200
    assert not goes_to(client_for(therapist(requires_mfa=True)).get("/"), "/account/mfa/")


def test_the_setting_is_off_in_development() -> None:
    # pytest-env sets DEBUG=1, so the default (`not DEBUG`) is off: nobody is asked.
    assert django_settings.MFA_REQUIRED is False


@pytest.mark.usefixtures("enforced")
def test_pages_that_must_stay_open_are_not_redirected() -> None:
    client = client_for(factories.StaffFactory())
    assert client.get("/health/").status_code == 200
    assert client.get(SETUP).status_code == 200
    assert goes_to(client.post("/accounts/logout/"), "/accounts/login/")


@pytest.mark.usefixtures("enforced")
def test_an_htmx_request_is_told_where_to_go() -> None:
    client = client_for(factories.StaffFactory())
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(SETUP)


# --- The admin ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("enforced")
def test_admin_pages_are_blocked_until_verified(clock: Any) -> None:
    staff = factories.StaffFactory()
    device, _codes = enrol(staff)
    client = client_for(staff)
    for path in ("/admin/", "/admin/clinic/user/", "/admin/login/"):
        response = client.get(path)
        assert goes_to(response, VERIFY), path
    assert client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})["Location"] == (
        "/admin/"
    )
    assert client.get("/admin/").status_code == 200
    # The admin never shows a device's secret.
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403


# --- Enrolment ---------------------------------------------------------------------------------


REQUIRED_NOTICE = "Two-factor sign-in is required for your account"


@pytest.mark.usefixtures("enforced")
def test_setup_says_when_it_is_required_before_anything_else_opens() -> None:
    """A new therapist of a clinic that requires it, sent here at their first sign-in, is told
    that it is required (no other page opens until it is set up); a patient opting in is not."""
    required = client_for(therapist(requires_mfa=True)).get(SETUP)
    assert REQUIRED_NOTICE in required.content.decode()
    optional = client_for(patient_user()).get(SETUP)
    assert optional.status_code == 200
    assert REQUIRED_NOTICE not in optional.content.decode()


def test_opening_setup_writes_nothing(clock: Any) -> None:
    # A GET only reads: the authenticator being set up is made when the user starts (a POST).
    user = patient_user()
    client = client_for(user)
    client.get("/account/")  # the session's own bookkeeping (its row, the policy) done first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SETUP)
    assert response.status_code == 200
    assert writes(captured) == []
    assert not TOTPDevice.objects.filter(user=user).exists()
    html = response.content.decode()
    assert "mfa-secret" not in html
    assert re.search(r'<button[^>]*name="start"', html)


def test_setup_shows_a_qr_code_the_key_and_a_labelled_field(clock: Any) -> None:
    user = patient_user()
    client = client_for(user)
    started = client.post(SETUP, {"start": "1", "next": "/account/"})
    assert goes_to(started, SETUP)
    assert "next=%2Faccount%2F" in started["Location"]
    response = client.get(started["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert 'name="next" value="/account/"' in html
    assert re.search(r'<svg role="img" aria-label="[^"]+"', html)
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert re.search(r'<label\s+for="id_code"', html)
    assert 'autocomplete="one-time-code"' in html
    # Reloading, or starting again, shows the same unconfirmed device, not a new one each time.
    assert client.get(SETUP).context["secret"] == response.context["secret"]
    client.post(SETUP, {"start": "1"})
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_setup_refuses_a_wrong_code_and_confirms_with_a_right_one(
    clock: Any, settings: Any
) -> None:
    user = factories.StaffFactory()
    client = client_for(user)
    assert client.get(SETUP).status_code == 200
    client.post(SETUP, {"start": "1"})
    device = TOTPDevice.objects.get(user=user)

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    clock.shift(dt.timedelta(seconds=2))  # past django-otp's throttle delay after one failure
    response = client.post(SETUP, {"code": code_for(device), "next": "/admin/"})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert 'href="/admin/"' in html
    assert "no-store" in response["Cache-Control"]
    # The session is verified now, and the codes are not shown again.
    settings.MFA_REQUIRED = True
    assert client.get("/admin/").status_code == 200
    again = client.get(SETUP)
    assert again.status_code == 200
    assert not any(code in again.content.decode() for code in codes)


def test_an_unverified_session_cannot_replace_a_confirmed_device(clock: Any) -> None:
    user = patient_user()
    enrol(user)
    response = client_for(user).get(SETUP)
    assert goes_to(response, VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- Verifying ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("enforced")
def test_a_recovery_code_works_once(clock: Any) -> None:
    user = factories.StaffFactory()
    _device, codes = enrol(user)
    client = client_for(user)
    assert goes_to(client.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"}), "/admin/")
    assert client.get("/admin/").status_code == 200
    assert StaticDevice.objects.get(user=user).token_set.count() == 9

    clock.shift(dt.timedelta(seconds=5))
    other = client_for(user)
    response = other.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert goes_to(other.get("/admin/"), VERIFY)
    clock.shift(dt.timedelta(seconds=5))
    assert goes_to(other.post(VERIFY, {"code": codes[1]}), "/")


@pytest.mark.usefixtures("enforced")
def test_a_totp_code_cannot_be_replayed(clock: Any) -> None:
    user = factories.ClinicAdminFactory().user
    device, _codes = enrol(user)
    code = code_for(device)
    assert goes_to(client_for(user).post(VERIFY, {"code": code}), "/")

    clock.shift(dt.timedelta(seconds=5))  # still the same 30-second step
    replay = client_for(user)
    response = replay.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "That code is not right, or has been used already" in response.content.decode()
    assert goes_to(replay.get("/"), VERIFY)

    clock.shift(dt.timedelta(seconds=30))  # the next step's code is fine
    assert goes_to(replay.post(VERIFY, {"code": code_for(device)}), "/")


@pytest.mark.usefixtures("enforced")
def test_verify_refuses_a_wrong_code_with_a_generic_message_and_ignores_an_outside_next(
    clock: Any,
) -> None:
    user = factories.StaffFactory()
    device, _codes = enrol(user)
    client = client_for(user)
    response = client.post(VERIFY, {"code": "000000", "next": "https://evil.example/"})
    if code_for(device) != "000000":
        assert response.status_code == 400
    clock.shift(dt.timedelta(seconds=2))
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


THROTTLED = "Too many wrong codes in a row"


def test_a_right_code_too_soon_after_a_wrong_one_is_told_to_wait_not_that_it_is_wrong(
    clock: Any,
) -> None:
    """django-otp refuses any code for a while after a wrong one (longer after each): the
    right code typed then is not "not right", and the page says to wait, at set-up and at
    sign-in alike."""
    user = factories.StaffFactory()
    client = client_for(user)
    client.post(SETUP, {"start": "1"})
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    assert "That code is not right" in client.post(SETUP, {"code": wrong}).content.decode()
    too_soon = client.post(SETUP, {"code": code_for(device)}).content.decode()
    assert THROTTLED in too_soon
    assert "That code is not right" not in too_soon
    device.refresh_from_db()
    assert not device.confirmed

    enrolled = factories.StaffFactory()
    device, _codes = enrol(enrolled)
    client = client_for(enrolled)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    assert "That code is not right" in client.post(VERIFY, {"code": wrong}).content.decode()
    too_soon = client.post(VERIFY, {"code": code_for(device)}).content.decode()
    assert THROTTLED in too_soon
    clock.shift(dt.timedelta(seconds=2))
    assert goes_to(client.post(VERIFY, {"code": code_for(device)}), "/")


def test_verify_without_a_device_sends_to_setup() -> None:
    assert goes_to(client_for(patient_user()).get(VERIFY), SETUP)


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    for path in (SETUP, VERIFY):
        assert goes_to(Client().get(path), "/accounts/login/")


@pytest.mark.usefixtures("enforced")
def test_signing_in_with_a_password_then_a_code(clock: Any) -> None:
    user = factories.ClinicAdminFactory().user
    device, _codes = enrol(user)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": factories.PASSWORD}
    )
    assert goes_to(response, "/")
    assert goes_to(client.get("/"), VERIFY)
    assert goes_to(client.post(VERIFY, {"code": code_for(device), "next": "/"}), "/")
    assert not goes_to(client.get("/"), "/account/mfa/")


# --- The API -----------------------------------------------------------------------------------


def api_login(user: User, **extra: str) -> Any:
    data = {"email": user.email, "password": factories.PASSWORD, **extra}
    return APIClient().post(API_LOGIN, data, format="json")


@pytest.mark.usefixtures("enforced")
def test_api_login_requires_a_code_when_two_factor_applies(clock: Any) -> None:
    staff = factories.StaffFactory()
    device, codes = enrol(staff)

    response = api_login(staff)
    assert response.status_code == 400
    assert response.json()["otp"] == ["A two-factor code is required."]

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = api_login(staff, otp=wrong)
    assert response.status_code == 400
    assert "token" not in response.json()

    clock.shift(dt.timedelta(seconds=2))
    response = api_login(staff, otp=code_for(device))
    assert response.status_code == 200
    assert response.json()["token"]

    clock.shift(dt.timedelta(seconds=2))
    assert api_login(staff, otp=code_for(device)).status_code == 400  # replayed
    clock.shift(dt.timedelta(seconds=2))
    assert api_login(staff, otp=codes[0]).status_code == 200
    clock.shift(dt.timedelta(seconds=2))
    assert api_login(staff, otp=codes[0]).status_code == 400  # used up


@pytest.mark.usefixtures("enforced")
def test_api_login_without_a_device_asks_to_set_one_up() -> None:
    response = api_login(therapist(requires_mfa=True))
    assert response.status_code == 400
    assert "otp" in response.json()


@pytest.mark.usefixtures("enforced")
def test_api_login_needs_no_code_when_two_factor_does_not_apply() -> None:
    assert api_login(patient_user()).status_code == 200
    assert api_login(therapist(requires_mfa=False)).status_code == 200


def test_api_login_needs_no_code_with_mfa_required_off(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    staff = factories.StaffFactory()
    enrol(staff)
    assert api_login(staff).status_code == 200


def test_the_schema_shows_the_optional_otp_field(staff_client: Client) -> None:
    schema = staff_client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "otp" in text


@pytest.mark.usefixtures("enforced")
def test_an_unverified_session_is_not_signed_in_for_the_api(clock: Any) -> None:
    user = factories.ClinicAdminFactory().user
    device, _codes = enrol(user)
    client = client_for(user)
    assert client.get("/api/v1/patients/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 401
    assert goes_to(client.post(VERIFY, {"code": code_for(device), "next": "/"}), "/")
    assert client.get("/api/v1/patients/").status_code == 200


def test_a_session_is_enough_for_the_api_when_two_factor_is_not_enforced(clock: Any) -> None:
    user = factories.ClinicAdminFactory().user
    enrol(user)
    assert client_for(user).get("/api/v1/patients/").status_code == 200


# --- Managing it: new recovery codes, turning it off ---------------------------------------

RECOVERY = "/account/mfa/recovery-codes/"
TURN_OFF = "/account/mfa/turn-off/"


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(clock: Any) -> None:
    user = factories.ClinicAdminFactory().user
    device, old_codes = enrol(user)
    client = client_for(user)
    page = client.get(RECOVERY)
    assert page.status_code == 200
    assert 'for="id_code"' in page.content.decode()

    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(RECOVERY, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right, or has been used already" in response.content.decode()
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(old_codes)

    clock.shift(dt.timedelta(seconds=2))  # django-otp throttles a device after a failure
    response = client.post(RECOVERY, {"code": code_for(device)})
    assert response.status_code == 200
    new_codes = list(StaticToken.objects.values_list("token", flat=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    for code in new_codes:
        assert code in response.content.decode()
    clock.shift(dt.timedelta(seconds=40))
    assert mfa.match_code(user, old_codes[1]) is None
    clock.shift(dt.timedelta(seconds=5))  # past the throttle that failure set
    assert mfa.match_code(user, new_codes[0]) is not None


def test_new_recovery_codes_without_a_device_go_to_setup() -> None:
    assert goes_to(client_for(patient_user()).get(RECOVERY), SETUP)


def test_a_patient_may_turn_it_off_with_a_current_code(clock: Any) -> None:
    user = patient_user()
    device, _codes = enrol(user)
    client = client_for(user)
    assert client.get(TURN_OFF).status_code == 200
    assert client.post(TURN_OFF, {"code": ""}).status_code == 400
    assert mfa.has_confirmed_device(user)

    assert goes_to(client.post(TURN_OFF, {"code": code_for(device)}), "/account/")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not mfa.policy_requires_mfa(user)


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(factories.StaffFactory, id="staff"),
        pytest.param(lambda: factories.ClinicAdminFactory().user, id="clinic_admin"),
        pytest.param(lambda: therapist(requires_mfa=True), id="therapist_of_requiring_clinic"),
    ],
)
def test_those_who_must_use_it_cannot_turn_it_off(make_user: Any, clock: Any) -> None:
    user = make_user()
    device, _codes = enrol(user)
    client = client_for(user)
    assert client.get(TURN_OFF).status_code == 404
    assert client.post(TURN_OFF, {"code": code_for(device)}).status_code == 404
    assert mfa.has_confirmed_device(user)


def test_managing_it_needs_a_sign_in() -> None:
    for path in (RECOVERY, TURN_OFF):
        assert goes_to(Client().get(path), "/accounts/login/")


@pytest.mark.usefixtures("enforced")
def test_the_policy_costs_one_query_and_none_for_staff(django_assert_num_queries: Any) -> None:
    patient = User.objects.get(pk=patient_user().pk)
    admin = User.objects.get(pk=factories.ClinicAdminFactory(clinic__requires_mfa=False).user.pk)
    plain = User.objects.get(pk=therapist(requires_mfa=False).pk)
    required = User.objects.get(pk=therapist(requires_mfa=True).pk)
    staff = factories.StaffFactory()
    with django_assert_num_queries(4):
        assert not mfa.mfa_required(patient)
        assert mfa.mfa_required(admin)
        assert not mfa.mfa_required(plain)
        assert mfa.mfa_required(required)
    with django_assert_num_queries(0):
        assert mfa.mfa_required(staff)
    TOTPDevice.objects.create(user=patient, name=mfa.TOTP_NAME, confirmed=False)
    assert not mfa.mfa_required(patient)  # a device not yet confirmed does not count
    TOTPDevice.objects.filter(user=patient).update(confirmed=True)
    assert mfa.mfa_required(patient)


@pytest.mark.usefixtures("enforced")
def test_the_answer_is_kept_in_the_session_for_a_minute(clock: Any) -> None:
    user = therapist(requires_mfa=False)
    client = client_for(user)
    assert not goes_to(client.get("/account/"), "/account/mfa/")
    # The clinic starts to require it: this open session is asked within a minute.
    Clinic.objects.filter(clinicians__user=user).update(requires_mfa=True)
    assert not goes_to(client.get("/account/"), "/account/mfa/")  # the kept answer
    clock.shift(dt.timedelta(seconds=mfa.POLICY_TTL_SECONDS + 1))
    assert goes_to(client.get("/account/"), SETUP)


@pytest.mark.usefixtures("enforced")
def test_a_kept_answer_is_for_its_own_user_only(clock: Any) -> None:
    from django.test import RequestFactory  # noqa: PLC0415

    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    staff = factories.StaffFactory()
    patient = patient_user()
    assert mfa.session_requires_mfa(request, staff)
    assert not mfa.session_requires_mfa(request, patient)
    assert request.session[mfa.POLICY_SESSION_KEY] == [False, int(START.timestamp()), patient.pk]


@pytest.mark.usefixtures("enforced")
def test_turning_it_off_is_not_followed_by_a_code_request(clock: Any) -> None:
    user = patient_user()
    device, _codes = enrol(user)
    client = client_for(user)
    assert goes_to(client.get("/account/"), VERIFY)  # the answer is now kept: required
    assert goes_to(client.post(VERIFY, {"code": code_for(device), "next": "/"}), "/")
    clock.shift(dt.timedelta(seconds=31))
    assert goes_to(client.post(TURN_OFF, {"code": code_for(device)}), "/account/")
    assert client.get("/account/").status_code == 200
