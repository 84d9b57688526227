"""Sign-in throttling, rate limits, session limits, ending sessions and tokens, headers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinic.models import Clinician, Patient, User
from core.ids import opaque
from tests import factories
from tests.api.conftest import token_client
from tests.conftest import client_for

LOGIN = reverse("login")
ADMIN_LOGIN = "/admin/login/"
API_LOGIN = "/api/v1/auth/login/"
LOCKED = "Too many failed sign-in attempts"
WRONG = "not-the-password-at-all"
NEW_PASSWORD = "a-brand-new-long-passphrase-42"


def _page_login(client: Client, email: str, password: str, url: str = LOGIN) -> Any:
    return client.post(url, {"username": email, "password": password})


def _api_login(client: APIClient, email: str, password: str) -> Any:
    return client.post(API_LOGIN, {"email": email, "password": password}, format="json")


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Lockout (django-axes) -------------------------------------------------------------------


def test_five_failed_sign_ins_lock_the_account_at_that_address(clinician: Clinician) -> None:
    client = Client()
    email = clinician.user.email
    codes = [_page_login(client, email, WRONG).status_code for _ in range(5)]
    assert codes[:4] == [200] * 4  # the form again, with its error
    assert codes[4] == 429
    response = _page_login(client, email, factories.PASSWORD)  # even the right password
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _signed_in(client)


def test_the_lockout_reads_the_same_for_an_unknown_email(clinician: Clinician) -> None:
    known, unknown = Client(), Client()
    for _ in range(5):
        known_response = _page_login(known, clinician.user.email, WRONG)
        unknown_response = _page_login(unknown, "nobody@example.org", WRONG)
    assert known_response.status_code == unknown_response.status_code == 429
    assert LOCKED in unknown_response.content.decode()
    known_text = known_response.content.decode().replace(clinician.user.email, "")
    assert clinician.user.email not in known_text
    assert "nobody@example.org" not in unknown_response.content.decode()


def test_the_lockout_is_per_email_and_ignores_case(clinician: Clinician) -> None:
    client = Client()
    for index in range(5):
        email = clinician.user.email.upper() if index % 2 else clinician.user.email
        _page_login(client, email, WRONG)
    assert _page_login(client, clinician.user.email, factories.PASSWORD).status_code == 429
    # Another account from the same address is not locked.
    assert _page_login(client, factories.UserFactory().email, factories.PASSWORD).status_code == 302


def test_the_lockout_lifts_after_the_cool_off(clinician: Clinician) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _page_login(client, clinician.user.email, WRONG)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert _page_login(client, clinician.user.email, factories.PASSWORD).status_code == 429
    # An attempt during the lockout starts the 15 minutes again (axes' default).
    with time_machine.travel(start + dt.timedelta(minutes=14 + 14), tick=False):
        assert _page_login(client, clinician.user.email, factories.PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=28 + 16), tick=False):
        response = _page_login(client, clinician.user.email, factories.PASSWORD)
        assert response.status_code == 302
        assert _signed_in(client)


def test_a_successful_sign_in_resets_the_count(clinician: Clinician) -> None:
    client = Client()
    for _ in range(4):
        _page_login(client, clinician.user.email, WRONG)
    assert _page_login(client, clinician.user.email, factories.PASSWORD).status_code == 302
    client.logout()
    assert _page_login(client, clinician.user.email, WRONG).status_code == 200


def test_the_admin_sign_in_is_locked_too(staff: User) -> None:
    client = Client()
    codes = [_page_login(client, staff.email, WRONG, ADMIN_LOGIN).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    response = _page_login(client, staff.email, factories.PASSWORD, ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_api_sign_in_is_locked_too(clinician: Clinician) -> None:
    client = APIClient()
    codes = [_api_login(client, clinician.user.email, WRONG).status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    response = _api_login(client, clinician.user.email, factories.PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.json()["detail"]
    assert "token" not in response.json()
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.7")  # DRF's own 10/min per address aside
    unknown = [_api_login(elsewhere, "nobody@example.org", WRONG) for _ in range(5)][-1]
    assert unknown.status_code == 429
    assert unknown.json() == response.json()


def test_the_page_and_the_api_share_one_count(clinician: Clinician) -> None:
    for _ in range(3):
        _page_login(Client(), clinician.user.email, WRONG)
    client = APIClient()
    assert _api_login(client, clinician.user.email, WRONG).status_code == 400
    assert _api_login(client, clinician.user.email, WRONG).status_code == 429


# --- Rate limits on password reset and invitations -------------------------------------------


@pytest.fixture
def rate_limits(settings: Any) -> None:
    settings.RATE_LIMIT_ENABLED = True


@pytest.mark.usefixtures("rate_limits")
def test_password_reset_is_rate_limited_per_address(db: None) -> None:
    client = Client()
    url = reverse("password_reset")
    codes = [client.post(url, {"email": f"p{i}@example.org"}).status_code for i in range(6)]
    assert codes == [302] * 5 + [429]
    response = client.post(url, {"email": "p9@example.org"})
    assert response.status_code == 429
    assert "too many attempts" in response.content.decode().lower()
    assert client.get(url).status_code == 200  # reading the form is not limited
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(url, {"email": "p1@example.org"}).status_code == 302


@pytest.mark.usefixtures("rate_limits")
def test_the_password_reset_limit_lifts_after_the_window(db: None) -> None:
    client = Client()
    url = reverse("password_reset")
    for _ in range(6):
        client.post(url, {"email": "p@example.org"})
    cache.clear()  # LocMemCache's expiry uses time.time(); the window ending is this
    assert client.post(url, {"email": "p@example.org"}).status_code == 302


@pytest.mark.usefixtures("rate_limits")
def test_invitation_accept_is_rate_limited_per_address(db: None) -> None:
    client = Client()
    url = reverse("clinic:invitation_accept", args=["no-such-token"])
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    codes = [client.post(url, data).status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]


def test_rate_limits_are_on_unless_debug(settings: Any) -> None:
    assert settings.RATE_LIMITS["password_reset"] == (5, 15 * 60)
    assert settings.RATE_LIMITS["invitation"] == (5, 15 * 60)


# --- Session limits --------------------------------------------------------------------------


def _clinician_page_ok(client: Client) -> bool:
    response = client.get(reverse("rehab:dashboard"))
    return response.status_code == 200


def test_a_clinician_session_ends_after_30_idle_minutes(clinician: Clinician) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(clinician.user)
        assert _clinician_page_ok(client)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert _clinician_page_ok(client)
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert _clinician_page_ok(client)
    with time_machine.travel(start + dt.timedelta(minutes=58 + 31), tick=False):
        response = client.get(reverse("rehab:dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert not _signed_in(client)


def test_a_clinician_session_ends_after_12_hours_however_busy(clinician: Clinician) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(clinician.user)
    minutes = 0
    while minutes < 12 * 60 - 20:
        minutes += 20
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert _clinician_page_ok(client), minutes
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=5), tick=False):
        response = client.get(reverse("rehab:dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_the_middleware_signs_out_with_a_message(clinician: Clinician) -> None:
    client = client_for(clinician.user)
    session = client.session
    session["started_at"] -= 13 * 60 * 60
    session.save()
    response = client.get(reverse("rehab:dashboard"), follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "Your session has ended" in response.content.decode()
    assert not _signed_in(client)


def test_the_session_cookie_follows_the_limits(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    assert client.session.get_expiry_age() == 30 * 60
    client = client_for(patient.user)
    assert client.session.get_expiry_age() == 30 * 24 * 60 * 60


def test_a_patient_session_lasts_longer(patient: Patient) -> None:
    today = reverse("rehab:today")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(patient.user)
        assert client.get(today).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=29), tick=False):
        assert client.get(today).status_code == 200  # a clinician's would be long gone
    with time_machine.travel(start + dt.timedelta(days=29 + 31), tick=False):
        assert client.get(today).status_code == 302  # 31 idle days
        assert not _signed_in(client)


def test_a_patient_session_ends_after_90_days_however_busy(patient: Patient) -> None:
    today = reverse("rehab:today")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(patient.user)
    for days in (20, 40, 60, 80):
        with time_machine.travel(start + dt.timedelta(days=days), tick=False):
            assert client.get(today).status_code == 200, days
    with time_machine.travel(start + dt.timedelta(days=91), tick=False):
        assert client.get(today).status_code == 302
        assert not _signed_in(client)


# --- Password changes and deactivation end sessions and tokens -------------------------------


def test_a_password_change_ends_other_sessions_and_all_tokens(clinician: Clinician) -> None:
    user = clinician.user
    here, elsewhere = client_for(user), client_for(user)
    phone = token_client(user)
    assert phone.get("/api/v1/me/").status_code == 200
    response = here.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _clinician_page_ok(here)  # the session that changed it carries on
    assert elsewhere.get(reverse("rehab:dashboard")).status_code == 302
    assert not _signed_in(elsewhere)
    assert not AuthToken.objects.filter(user=user).exists()
    assert phone.get("/api/v1/me/").status_code == 401


def test_set_password_and_save_ends_tokens(clinician: Clinician) -> None:
    user = User.objects.get(pk=clinician.user.pk)
    phone = token_client(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert phone.get("/api/v1/me/").status_code == 401


def test_other_saves_keep_tokens(clinician: Clinician) -> None:
    user = User.objects.get(pk=clinician.user.pk)
    token_client(user)
    user.full_name = "Renamed"
    user.save()
    assert AuthToken.objects.filter(user=user).count() == 1


def test_a_save_of_a_partly_loaded_user_fetches_nothing_and_keeps_tokens(
    clinician: Clinician, django_assert_num_queries: Any
) -> None:
    # The password and active flag are compared only when loaded: a user read with some of its
    # fields is saved without a query for the others, and their tokens stay.
    token_client(clinician.user)
    user = User.objects.only("pk", "full_name").get(pk=clinician.user.pk)
    user.full_name = "Renamed"
    with django_assert_num_queries(1):  # the UPDATE only: no read of a deferred field
        user.save(update_fields=["full_name"])
    assert AuthToken.objects.filter(user=user).count() == 1


def test_deactivation_ends_every_session_and_token(clinician: Clinician) -> None:
    user = User.objects.get(pk=clinician.user.pk)
    browser = client_for(user)
    phone = token_client(user)
    user.is_active = False
    user.save()
    assert browser.get(reverse("rehab:dashboard")).status_code == 302
    assert not _signed_in(browser)
    assert not AuthToken.objects.filter(user=user).exists()
    assert phone.get("/api/v1/me/").status_code == 401


# --- Headers ---------------------------------------------------------------------------------


def test_pages_have_a_csp_with_a_nonce(clinician: Clinician, patient: Patient) -> None:
    pages = [
        (Client(), LOGIN),
        (Client(), reverse("password_reset")),
        (client_for(clinician.user), reverse("rehab:dashboard")),
        (client_for(clinician.user), reverse("rehab:patient_detail", args=[patient.pk])),
        (client_for(patient.user), reverse("rehab:today")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "nonce-" in csp, url
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_patient_data_is_never_cached(clinician: Clinician, patient: Patient) -> None:
    page = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]
    api = token_client(clinician.user).get(f"/api/v1/patients/{opaque(patient.pk)}/")
    assert api.status_code == 200
    assert "no-store" in api["Cache-Control"]
    assert "no-store" in APIClient().get("/api/v1/me/")["Cache-Control"]


def test_the_public_sign_in_page_is_not_marked_no_store_needlessly(db: None) -> None:
    response = Client().get(reverse("clinic:health"))
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_password_validators_are_on(settings: Any) -> None:
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 10


# --- Tampered credentials and stale links: refused, with a generic answer ------------------


def _flip_last(value: str) -> str:
    return value[:-1] + ("a" if value[-1] != "a" else "b")


def test_a_tampered_session_cookie_is_an_anonymous_visitor(clinician: Clinician) -> None:
    client = client_for(clinician.user)
    assert client.get("/clinic/").status_code == 200
    key = client.cookies["sessionid"].value
    for forged in (_flip_last(key), "x" * 32, "../../etc/passwd", "' OR 1=1 --"):
        client.cookies["sessionid"] = forged
        response = client.get("/clinic/")
        assert response.status_code == 302, forged
        assert response["Location"].startswith(LOGIN)
        response = client.get("/api/v1/patients/")
        assert response.status_code in (401, 403), forged


@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-token",
        "Token ",
        "Token " + "A" * 200,
        "Bearer abc",
        "Token abc\r\nX-Forged: 1",
    ],
)
def test_a_malformed_api_token_is_refused_generically(db: None, header: str) -> None:
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "X-Forged" not in response
    assert set(response.json()) <= {"detail", "code", "errors", "type"}


def test_a_tampered_api_token_is_refused(patient: Patient) -> None:
    assert patient.user is not None
    _instance, token = AuthToken.objects.create(user=patient.user)
    ok = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert ok.status_code == 200
    forged = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {_flip_last(token)}")
    assert forged.status_code == 401
    assert patient.user.email not in forged.content.decode()


def _reset_link(user: User) -> str:
    from django.contrib.auth.tokens import default_token_generator  # noqa: PLC0415
    from django.utils.encoding import force_bytes  # noqa: PLC0415
    from django.utils.http import urlsafe_base64_encode  # noqa: PLC0415

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", args=[uid, token])


def _reset_page_works(client: Client, link: str) -> bool:
    response = client.get(link, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    works = 'name="new_password1"' in html
    assert works != ("This link no longer works" in html)
    return works


def test_a_reset_link_works_before_it_expires(clinician: Clinician, settings: Any) -> None:
    assert _reset_page_works(Client(), _reset_link(clinician.user))


def test_an_expired_reset_link_is_refused(clinician: Clinician, settings: Any) -> None:
    link = _reset_link(clinician.user)
    later = timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        client = Client()
        response = client.get(link, follow=True)
        html = response.content.decode()
        assert "This link no longer works" in html
        assert clinician.user.email not in html
        # Posting a new password through it changes nothing.
        final = response.redirect_chain[-1][0] if response.redirect_chain else link
        client.post(final, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    clinician.user.refresh_from_db()
    assert not clinician.user.check_password(NEW_PASSWORD)


def test_a_tampered_reset_link_is_refused(clinician: Clinician) -> None:
    link = _reset_link(clinician.user).rstrip("/")
    assert not _reset_page_works(Client(), _flip_last(link) + "/")


def test_a_used_reset_link_is_refused(clinician: Clinician) -> None:
    link = _reset_link(clinician.user)
    client = Client()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    clinician.user.refresh_from_db()
    assert clinician.user.check_password(NEW_PASSWORD)
    assert not _reset_page_works(Client(), link)
