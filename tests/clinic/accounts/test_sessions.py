"""A signed-in person's own sessions: listed at /account/sessions/, ended one by one or all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.sessions import record_user_session
from clinic.models import Clinician, Patient, User, UserSession
from tests import factories
from tests.conftest import writes

SESSIONS = reverse("clinic:sessions")
ACCOUNT = reverse("clinic:account")
END = reverse("clinic:session_end")
END_OTHERS = reverse("clinic:session_end_others")


def _signed_in_client(user: User, agent: str = "Test browser") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.force_login(user)
    # force_login's own request has no headers: name the browser as a page sign-in would.
    UserSession.objects.filter(session_key=client.session.session_key).update(user_agent=agent)
    return client


def _key(client: Client) -> str:
    return client.session.session_key


def _row(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=_key(client))


def _is_signed_in(client: Client) -> bool:
    # The home page answers a redirect to the sign-in page when the session is gone.
    response = client.get(SESSIONS)
    return response.status_code == 200


@pytest.fixture(params=["clinician", "patient"])
def someone(request: Any, clinician: Clinician, patient: Patient) -> User:
    return clinician.user if request.param == "clinician" else patient.user


def test_sign_in_records_the_session_and_sign_out_forgets_it(clinician: Clinician) -> None:
    client = Client(HTTP_USER_AGENT="Firefox on a laptop", REMOTE_ADDR="192.0.2.7")
    response = client.post(
        reverse("login"), {"username": clinician.user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    row = UserSession.objects.get(user=clinician.user)
    assert row.session_key == _key(client)
    assert row.ip == "192.0.2.7"
    assert row.user_agent == "Firefox on a laptop"
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=clinician.user).exists()


def test_the_user_agent_is_cut_to_200_characters_and_a_bad_address_dropped(
    clinician: Clinician,
) -> None:
    request = RequestFactory().get("/", HTTP_USER_AGENT="x" * 1000, REMOTE_ADDR="not-an-ip")
    request.session = SessionStore()
    row = record_user_session(request, clinician.user)
    assert row is not None
    row.refresh_from_db()
    assert row.user_agent == "x" * 200
    assert row.ip is None
    assert row.session_key == request.session.session_key


def test_last_seen_is_updated_at_most_once_a_minute(clinician: Clinician) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = _signed_in_client(clinician.user)
        assert _row(client).last_seen_at == start
        traveller.shift(30)
        client.get(SESSIONS)
        assert _row(client).last_seen_at == start
        traveller.shift(40)
        client.get(SESSIONS)
        assert _row(client).last_seen_at > start


def test_the_page_lists_only_ones_own_sessions_and_marks_this_device(
    someone: User, other_clinician: Clinician
) -> None:
    here = _signed_in_client(someone, agent="This browser")
    _signed_in_client(someone, agent="A phone")
    _signed_in_client(other_clinician.user, agent="Somebody else's browser")
    response = here.get(SESSIONS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This browser" in page
    assert "A phone" in page
    assert "Somebody else" not in page
    assert page.count("This device") == 1
    assert _key(here) not in page  # the session key is never shown
    assert "no-store" in response["Cache-Control"]


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    for method, url in (("get", SESSIONS), ("post", END), ("post", END_OTHERS)):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_ending_a_session_signs_that_browser_out(someone: User) -> None:
    here = _signed_in_client(someone)
    there = _signed_in_client(someone)
    there_row = _row(there)
    response = here.post(END, {"session": there_row.pk})
    assert response.status_code == 302
    assert response["Location"] == SESSIONS
    assert not Session.objects.filter(session_key=there_row.session_key).exists()
    assert not UserSession.objects.filter(pk=there_row.pk).exists()
    assert not _is_signed_in(there)
    assert _is_signed_in(here)


def test_ending_it_twice_is_harmless(clinician: Clinician) -> None:
    here = _signed_in_client(clinician.user)
    there = _signed_in_client(clinician.user)
    third = _signed_in_client(clinician.user)
    pk = _row(there).pk
    assert here.post(END, {"session": pk}).status_code == 302
    assert here.post(END, {"session": pk}).status_code == 404  # already gone: nothing happens
    assert _is_signed_in(here)
    assert _is_signed_in(third)


def test_another_users_session_is_not_found(clinician: Clinician, patient: Patient) -> None:
    mine = _signed_in_client(clinician.user)
    theirs = _signed_in_client(patient.user)
    row = _row(theirs)
    for value in (row.pk, row.session_key, "", "abc", "9" * 40, "²", "１２"):
        assert mine.post(END, {"session": value}).status_code == 404
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert _is_signed_in(theirs)


def test_ending_this_device_signs_out_here(clinician: Clinician) -> None:
    here = _signed_in_client(clinician.user)
    response = here.post(END, {"session": _row(here).pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not UserSession.objects.filter(user=clinician.user).exists()
    assert not _is_signed_in(here)


def test_sign_out_everywhere_else(someone: User, other_clinician: Clinician) -> None:
    here = _signed_in_client(someone)
    elsewhere = [_signed_in_client(someone) for _ in range(2)]
    stranger = _signed_in_client(other_clinician.user)
    for _ in range(2):  # a second POST changes nothing and is not an error
        response = here.post(END_OTHERS)
        assert response.status_code == 302
        assert response["Location"] == SESSIONS
    assert list(UserSession.objects.filter(user=someone)) == [_row(here)]
    assert all(not _is_signed_in(client) for client in elsewhere)
    assert _is_signed_in(here)
    assert _is_signed_in(stranger)


def test_get_is_not_allowed_on_the_actions(clinician: Clinician) -> None:
    here = _signed_in_client(clinician.user)
    assert here.get(END).status_code == 405
    assert here.get(END_OTHERS).status_code == 405


def test_sessions_that_expired_are_dropped_from_the_list(clinician: Clinician) -> None:
    here = _signed_in_client(clinician.user)
    gone = _signed_in_client(clinician.user, agent="Expired browser")
    Session.objects.filter(session_key=_key(gone)).delete()
    page = here.get(SESSIONS).content.decode()
    assert "Expired browser" not in page
    # The page only reads: the row is forgotten by a write (the next sign-in, the hourly tick).
    assert UserSession.objects.filter(user=clinician.user).count() == 2
    _signed_in_client(clinician.user, agent="Next sign-in")
    assert not UserSession.objects.filter(session_key=_key(gone)).exists()
    assert UserSession.objects.filter(user=clinician.user).count() == 2


@pytest.mark.parametrize("url", [ACCOUNT, SESSIONS])
def test_the_account_pages_write_nothing(clinician: Clinician, url: str) -> None:
    # A GET reads: the rows of sessions signed out (expired, gone, or a stale password hash)
    # are left out of the list, not deleted here.
    user = clinician.user
    start = timezone.now()
    with time_machine.travel(start, tick=False):  # the middleware's touch is a minute away
        here = _signed_in_client(user, agent="This browser")
        expired = _signed_in_client(user, agent="Expired browser")
        gone = _signed_in_client(user, agent="Gone browser")
        stale = _signed_in_client(user, agent="Old password browser")
        here.get(url)
        Session.objects.filter(session_key=_key(expired)).update(
            expire_date=start - dt.timedelta(minutes=1)
        )
        Session.objects.filter(session_key=_key(gone)).delete()
        stored = SessionStore(session_key=_key(stale))
        stored[HASH_SESSION_KEY] = "not-the-password-hash"
        stored.save()
        rows_before = set(UserSession.objects.values_list("pk", "session_key", "last_seen_at"))
        with CaptureQueriesContext(connection) as captured:
            response = here.get(url)
        assert response.status_code == 200
        assert writes(captured) == []
        assert set(UserSession.objects.values_list("pk", "session_key", "last_seen_at")) == (
            rows_before
        )
        listed = here.get(SESSIONS).context["rows"]
        assert [row.session_key for row in listed] == [_key(here)]
        assert here.get(ACCOUNT).context["session_count"] == 1


def test_a_session_without_a_row_is_listed_and_gets_one_within_a_minute(
    clinician: Clinician,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        here = _signed_in_client(clinician.user)
        UserSession.objects.all().delete()
        response = here.get(SESSIONS)
        assert response.status_code == 200
        assert [row.session_key for row in response.context["rows"]] == [_key(here)]
        assert response.content.decode().count("This device") == 1
        assert here.get(ACCOUNT).context["session_count"] == 1
        assert not UserSession.objects.exists()  # the pages only read
        traveller.shift(61)
        here.get(ACCOUNT)  # SessionLimitsMiddleware's touch records it
        assert _row(here).user == clinician.user


def test_this_device_without_a_row_can_still_be_signed_out(clinician: Clinician) -> None:
    # Its "Sign out" is an ordinary sign-out (as ending this device's row is), not a row's id.
    here = _signed_in_client(clinician.user)
    sign_out = f'action="{reverse("logout")}"'
    with_row = here.get(SESSIONS).content.decode().count(sign_out)  # the navigation's too
    UserSession.objects.all().delete()
    page = here.get(SESSIONS).content.decode()
    assert page.count(sign_out) == with_row + 1
    assert 'name="session" value="None"' not in page


@pytest.mark.parametrize("browsers", [1, 12])
def test_the_sessions_page_costs_the_same_however_many_sessions(
    clinician: Clinician, browsers: int, django_assert_num_queries: Any
) -> None:
    here = _signed_in_client(clinician.user)
    here.get(SESSIONS)  # this browser's row
    for n in range(browsers):
        gone = _signed_in_client(clinician.user, agent=f"Browser {n}")
        if n % 2:
            Session.objects.filter(session_key=_key(gone)).delete()
    # 1 session, 2 user; 3 the user's rows; 4 their unexpired sessions (to check each still
    # signs the user in: one SELECT, decoded here); 5-6 the navigation's counts of open alerts
    # and of unread messages (rehab_desk). Nothing is written.
    with django_assert_num_queries(6):
        response = here.get(SESSIONS)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1 + (browsers + 1) // 2


# --- Browsers signed out by a password change, and the account page's count (from review) ---


@pytest.mark.django_db
def test_sessions_page_does_not_list_browsers_the_password_change_signed_out(
    patient: Patient,
) -> None:
    # (from review) A password change signs every other browser out (Django drops a session
    # whose password hash no longer matches), but until that browser's next request its session
    # and row are still stored: the page listed it and offered "Sign out everywhere else".
    user = factories.UserFactory.create()
    user.set_password("old-Secret-pass-1")
    user.save()
    patient.user = user
    patient.save()
    phone, laptop = Client(HTTP_USER_AGENT="Phone browser"), Client(HTTP_USER_AGENT="Laptop")
    phone.force_login(user)
    laptop.force_login(user)
    assert laptop.get(SESSIONS).context["others"] == 1

    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": "old-Secret-pass-1",
            "new_password1": "new-Secret-pass-2",
            "new_password2": "new-Secret-pass-2",
        },
    )
    assert response.status_code == 302
    # The phone (which has not made a request since) is signed out now: its next request
    # finds no user. Its row must not be listed meanwhile.
    page = laptop.get(SESSIONS)
    assert page.status_code == 200
    current = page.context["current_key"]
    assert [r.session_key for r in page.context["rows"]] == [current], (
        "the phone, signed out by the password change, is still listed as signed in"
    )
    assert page.context["others"] == 0
    assert phone.get(reverse("clinic:account")).status_code == 302


@pytest.mark.django_db
def test_the_account_page_counts_only_sessions_that_are_still_signed_in(
    patient: Patient,
) -> None:
    """(from review) The account page's "You are signed in on N browsers" counted every stored
    row, also those whose session has expired; the sessions page (which prunes them) lists
    fewer."""
    user = factories.UserFactory.create()
    patient.user = user
    patient.save()
    old, current = Client(), Client()
    old.force_login(user)
    current.force_login(user)
    old_key = old.session.session_key
    Session.objects.filter(session_key=old_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    assert UserSession.objects.filter(session_key=old_key).exists()

    page = current.get(reverse("clinic:account"))
    assert page.context["session_count"] == 1, (
        "the account page says 2 browsers; one session has expired (the sessions page lists 1)"
    )
    assert len(current.get(SESSIONS).context["rows"]) == 1


def test_the_rows_of_a_password_change_are_pruned_and_this_browser_is_listed(
    clinician: Clinician,
) -> None:
    # The password change cycles this browser's session key (its row is made again) and
    # signs the others out: their rows are forgotten, the sessions themselves stay until their
    # next request (Django's to drop), and the account page counts what the sessions page lists.
    user = clinician.user
    here = _signed_in_client(user, agent="This browser")
    there = _signed_in_client(user, agent="A phone")
    there_key = _key(there)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "new-Secret-pass-2",
            "new_password2": "new-Secret-pass-2",
        },
    )
    assert response.status_code == 302
    page = here.get(reverse("clinic:account"))
    assert page.context["session_count"] == 1
    assert list(UserSession.objects.filter(user=user)) == [_row(here)]
    assert not UserSession.objects.filter(session_key=there_key).exists()
    assert "A phone" not in here.get(SESSIONS).content.decode()
    assert not _is_signed_in(there)
    assert _is_signed_in(here)


def test_a_session_under_a_fallback_secret_key_is_still_listed(clinician: Clinician) -> None:
    # Django still signs such a session in (and renews its hash) at its next request: it is
    # not pruned.
    old_key, new_key = "an-old-secret-key-" + "x" * 40, "a-new-secret-key-" + "y" * 40
    with override_settings(SECRET_KEY=old_key):
        here = _signed_in_client(clinician.user, agent="This browser")
        there = _signed_in_client(clinician.user, agent="A phone")
    with override_settings(SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[old_key]):
        assert "A phone" in here.get(SESSIONS).content.decode()
        assert UserSession.objects.filter(session_key=_key(there)).exists()
        assert _is_signed_in(there)


def test_the_account_page_costs_the_same_however_many_sessions(clinician: Clinician) -> None:
    here = _signed_in_client(clinician.user)
    _signed_in_client(clinician.user, agent="Browser 0")
    here.get(ACCOUNT)  # the rows of earlier requests' sessions settled

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert here.get(ACCOUNT).status_code == 200
        return len(captured)

    few = queries()
    for n in range(1, 12):
        gone = _signed_in_client(clinician.user, agent=f"Browser {n}")
        if n % 2:
            Session.objects.filter(session_key=_key(gone)).delete()
    assert queries() == few
    assert here.get(ACCOUNT).context["session_count"] == 2 + 5
