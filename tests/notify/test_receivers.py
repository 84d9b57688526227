"""A browser's push subscription ends with the session that turned it on: signing out on a
shared or handed-on phone stops that browser's reminders and reply notices, however the
session was signed out (the sign-out button, the sessions page, "sign out everywhere else",
a password change or reset, deactivation, a two-factor reset). A session that merely expires keeps
them: a patient who has not opened the app for a month still gets their reminders, a
clinician's browser its alerts overnight."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import services as account_services
from clinic.models import Clinician, Patient, User, UserSession
from clinic.services import invitations as invitation_services
from clinic.team import services as team_services
from notify import services
from notify.models import PushSubscription
from tests import factories
from tests.notify.push_service import PushService

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("notify:push_subscribe")
PASSWORD = "old-Secret-pass-1"


def browser(user: User, name: str) -> Client:
    client = Client(HTTP_USER_AGENT=name)
    client.force_login(user)
    return client


def turn_on(client: Client, push_service: PushService) -> str:
    """This browser turns notifications on (as ``static/js/notify.js`` does); its endpoint."""
    subscription = push_service.subscribe()
    response = client.post(SUBSCRIBE, json.dumps(subscription), content_type="application/json")
    assert response.status_code == 201
    return str(subscription["endpoint"])


def endpoints(user: User) -> set[str]:
    return set(PushSubscription.objects.filter(user=user).values_list("endpoint", flat=True))


def row_of(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_the_subscription_remembers_the_session_that_turned_it_on(
    patient: Patient, push_service: PushService
) -> None:
    phone = browser(patient.user, "Phone")
    turn_on(phone, push_service)
    assert PushSubscription.objects.get().session_key == phone.session.session_key


def test_signing_out_stops_pushes_to_that_browser_only(
    patient: Patient, other_patient: Patient, push_service: PushService
) -> None:
    shared_phone, tablet = browser(patient.user, "Phone"), browser(patient.user, "Tablet")
    turn_on(shared_phone, push_service)
    kept = turn_on(tablet, push_service)
    someone_else = turn_on(browser(other_patient.user, "Laptop"), push_service)

    assert shared_phone.post(reverse("logout")).status_code == 302

    assert endpoints(patient.user) == {kept}
    assert endpoints(other_patient.user) == {someone_else}


def test_ending_a_session_from_the_sessions_page_stops_its_pushes(
    clinician: Clinician, push_service: PushService
) -> None:
    laptop, lost_phone = browser(clinician.user, "Laptop"), browser(clinician.user, "Phone")
    kept = turn_on(laptop, push_service)
    turn_on(lost_phone, push_service)

    response = laptop.post(reverse("clinic:session_end"), {"session": row_of(lost_phone).pk})

    assert response.status_code == 302
    assert endpoints(clinician.user) == {kept}


def test_signing_out_everywhere_else_stops_the_others_pushes(
    patient: Patient, push_service: PushService
) -> None:
    here = browser(patient.user, "Phone")
    kept = turn_on(here, push_service)
    for name in ("Old phone", "Library computer"):
        turn_on(browser(patient.user, name), push_service)

    here.post(reverse("clinic:session_end_others"))

    assert endpoints(patient.user) == {kept}


def test_deactivating_a_clinician_stops_pushes_to_their_browsers(
    admin: Clinician, clinician: Clinician, push_service: PushService
) -> None:
    turn_on(browser(clinician.user, "Laptop"), push_service)
    turn_on(browser(clinician.user, "Phone"), push_service)

    team_services.clinician_deactivate(clinician=clinician, deactivated_by=admin.user)

    assert endpoints(clinician.user) == set()


def test_resetting_a_clinician_s_two_factor_stops_pushes_to_the_lost_phone(
    admin: Clinician, clinician: Clinician, push_service: PushService
) -> None:
    TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)  # on that phone
    turn_on(browser(clinician.user, "Lost phone"), push_service)

    team_services.clinician_reset_two_factor(clinician=clinician, reset_by=admin.user)

    assert endpoints(clinician.user) == set()


def test_a_password_change_keeps_this_browser_s_pushes_and_ends_the_others(
    patient: Patient, push_service: PushService
) -> None:
    patient.user.set_password(PASSWORD)
    patient.user.save()
    laptop, phone = browser(patient.user, "Laptop"), browser(patient.user, "Phone")
    kept = turn_on(laptop, push_service)
    turn_on(phone, push_service)

    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "new-Secret-pass-2",
            "new_password2": "new-Secret-pass-2",
        },
    )

    assert response.status_code == 302
    assert endpoints(patient.user) == {kept}
    # The password change gave this session a new key: its subscription follows it, so
    # signing out here later still stops this browser's pushes.
    assert PushSubscription.objects.get().session_key == laptop.session.session_key
    laptop.post(reverse("logout"))
    assert endpoints(patient.user) == set()


def test_a_password_reset_from_an_emailed_link_stops_every_browser_s_pushes(
    patient: Patient, push_service: PushService
) -> None:
    for name in ("Laptop", "Lost phone"):
        turn_on(browser(patient.user, name), push_service)
    uid = urlsafe_base64_encode(force_bytes(patient.user.pk))
    link = reverse(
        "password_reset_confirm", args=[uid, default_token_generator.make_token(patient.user)]
    )
    someone = Client()
    form_url = someone.get(link, follow=True).redirect_chain[-1][0]

    response = someone.post(
        form_url, {"new_password1": "new-Secret-pass-2", "new_password2": "new-Secret-pass-2"}
    )

    assert response.status_code == 302
    assert endpoints(patient.user) == set()
    assert not UserSession.objects.filter(user=patient.user).exists()


def test_accepting_an_invitation_on_someone_else_s_browser_signs_them_out_first(
    patient: Patient, clinician: Clinician, push_service: PushService
) -> None:
    shared = browser(patient.user, "Family tablet")
    turn_on(shared, push_service)
    newcomer = factories.PatientFactory(clinic=clinician.clinic, user=None, email="new@example.org")
    _, token = invitation_services.invitation_create(patient=newcomer, created_by=clinician.user)

    response = shared.post(
        reverse("clinic:invitation_accept", args=[token]),
        {"new_password1": "new-Secret-pass-2", "new_password2": "new-Secret-pass-2"},
    )

    assert response.status_code == 302
    assert endpoints(patient.user) == set()
    assert not UserSession.objects.filter(user=patient.user).exists()


def test_a_session_that_only_expires_keeps_its_pushes(
    patient: Patient, push_service: PushService
) -> None:
    phone = browser(patient.user, "Phone")
    kept = turn_on(phone, push_service)
    session = phone.session
    session.set_expiry(-1)  # expired in the store, as after a month without a visit
    session.save()

    assert account_services.user_sessions_forget_signed_out() == 1
    account_services.user_session_renewed(
        _request_for(browser(patient.user, "Tablet")), patient.user
    )

    assert endpoints(patient.user) == {kept}


def _request_for(client: Client) -> Any:
    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_a_browser_someone_else_signs_in_on_moves_to_them_with_their_session(
    patient: Patient, other_patient: Patient, push_service: PushService
) -> None:
    subscription = push_service.subscribe()
    first = browser(patient.user, "Phone")
    services.push_subscribe(
        user=patient.user, session_key=first.session.session_key, **_flat(subscription)
    )
    second = browser(other_patient.user, "Phone")
    services.push_subscribe(
        user=other_patient.user, session_key=second.session.session_key, **_flat(subscription)
    )

    first.post(reverse("logout"))  # the first person's sign-out leaves the second's alone
    assert endpoints(other_patient.user) == {subscription["endpoint"]}
    second.post(reverse("logout"))
    assert not PushSubscription.objects.exists()


def _flat(subscription: dict[str, Any]) -> dict[str, str]:
    return {"endpoint": subscription["endpoint"], **subscription["keys"]}


def test_sessions_signed_out_leaves_other_users_and_other_sessions_alone(
    patient: Patient, other_patient: Patient, push_service: PushService
) -> None:
    for user, key in (
        (patient.user, "a" * 32),
        (patient.user, "b" * 32),
        (other_patient.user, "a" * 32),
    ):
        services.push_subscribe(user=user, session_key=key, **_flat(push_service.subscribe()))
    legacy = push_service.subscribe()  # stored before subscriptions remembered their session
    services.push_subscribe(user=patient.user, **_flat(legacy))

    removed = services.push_sessions_signed_out(user=patient.user, session_keys=["a" * 32, ""])

    assert removed == 1
    assert set(PushSubscription.objects.values_list("user_id", "session_key").order_by("pk")) == {
        (patient.user.pk, "b" * 32),
        (other_patient.user.pk, "a" * 32),
        (patient.user.pk, ""),
    }
