"""No health details in what leaves the app: every kind of email and push message, rendered with
the default settings, says nothing of the patient's condition, their exercises or what they
reported. Whoever glances at an inbox or a lock screen sees the subject, the sender, the
footer, a push message's title and the installed app's name: none of them may tell of an
Achilles injury (the developers' guide; README, "Configuration": ``SITE_NAME``).

Nothing here takes the site's name out before looking: the default name must pass too.
Random tokens in links are masked (a long random string may spell anything)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import Patient
from clinic.services.invitations import invitation_create
from clinic.team.services import clinician_invite
from notify import channels, content
from notify.models import PATIENT_KINDS, Notification
from rehab.models import Alert
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Words that would tell a reader of an inbox or a lock screen about the patient's health.
HEALTH_WORDS = [
    "achilles",
    "tendon",
    "tendin",
    "rupture",
    "atrs",
    "pain",
    "injur",
    "surgery",
    "surgical",
    "operation",
    "red flag",
    "symptom",
    "swollen",
    "swelling",
    "ankle",
    "heel",
    "calf",
    "boot",
    "crutch",
    "splint",
    "questionnaire",
    "score",
]
EXERCISE_NAMES = ["Seated calf raise", "Towel stretch"]
ALERT_TEXT = "Pain 8/10 reported after the heel drops."
MESSAGE_TEXT = "My ankle is swollen in the evening."
TOKEN = re.compile(r"[A-Za-z0-9_:\-]{20,}")


def health_words_in(text: str) -> list[str]:
    """The health words and exercise names found in ``text`` (random tokens masked)."""
    words = TOKEN.sub("TOKEN", text).lower()
    banned = [*HEALTH_WORDS, *(name.lower() for name in EXERCISE_NAMES)]
    banned += [ALERT_TEXT.lower(), MESSAGE_TEXT.lower()]
    return [word for word in banned if word in words]


def sent_email_texts(message: mail.EmailMessage) -> list[str]:
    texts = [message.subject, message.body, message.from_email, *message.extra_headers.values()]
    texts += [str(alternative[0]) for alternative in getattr(message, "alternatives", [])]
    return texts


@pytest.fixture
def patient() -> Patient:
    """A patient with exercises on their plan, an urgent alert and an unread message: whatever
    a careless notification could show."""
    clinic = factories.ClinicFactory(name="Riverside Physiotherapy")
    patient = factories.PatientFactory(first_name="Sam", clinic=clinic)
    plan = factories.PlanFactory(patient=patient)
    phase = factories.PlanPhaseFactory(plan=plan, start_week=0, end_week=104)
    plan.current_phase = phase
    plan.save(update_fields=["current_phase"])
    for name in EXERCISE_NAMES:
        factories.PrescriptionFactory(phase=phase, exercise=factories.ExerciseFactory(name=name))
    factories.AlertFactory(patient=patient, kind=Alert.Kind.HIGH_PAIN, message=ALERT_TEXT)
    factories.MessageFactory(patient=patient, body=MESSAGE_TEXT)
    return patient


def notification_of(kind: str, patient: Patient) -> Notification:
    clinician = patient.therapist or factories.ClinicianFactory(clinic=patient.clinic)
    user = patient.user if kind in PATIENT_KINDS else clinician.user
    alert = Alert.objects.get(patient=patient) if kind in ("alert", "escalation") else None
    return Notification.objects.create(
        key=f"test-{kind}",
        kind=kind,
        channel="email",
        user=user,
        email=user.email,
        patient=None if kind == "digest" else patient,
        alert=alert,
    )


def test_the_default_site_name_says_nothing_of_health() -> None:
    # The tests run with the default settings (nothing sets SITE_NAME for them).
    assert health_words_in(settings.SITE_NAME) == []
    assert health_words_in(settings.OTP_TOTP_ISSUER) == []  # shown in the authenticator app


@pytest.mark.parametrize("kind", list(Notification.Kind))
def test_every_notification_email_and_push_says_nothing_of_health(
    kind: str, patient: Patient
) -> None:
    notification = notification_of(kind, patient)
    extra: dict[str, Any] = {"first_names": [patient.first_name]} if kind == "digest" else {}
    words = content.compose(notification, extra=extra)
    assert channels.send_email(content.email(notification, words)).outcome == (
        channels.Outcome.SENT
    )
    (message,) = mail.outbox
    for text in sent_email_texts(message):
        assert health_words_in(text) == [], text
    payload = content.push_payload(notification, words)
    for key, value in payload.items():
        assert health_words_in(str(value)) == [], (key, value)


def test_invitations_say_nothing_of_health(patient: Patient) -> None:
    admin = factories.ClinicAdminFactory(clinic=patient.clinic)
    invitation_create(patient=patient, created_by=admin.user)
    clinician_invite(
        clinic=patient.clinic,
        email="new.colleague@example.org",
        full_name="Alex Doe",
        role="therapist",
        invited_by=admin.user,
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        for text in sent_email_texts(message):
            assert health_words_in(text) == [], text


def test_the_password_reset_email_says_nothing_of_health(client: Client, patient: Patient) -> None:
    assert patient.user is not None
    response = client.post(reverse("password_reset"), {"email": patient.user.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    for text in sent_email_texts(message):
        assert health_words_in(text) == [], text


def test_the_installed_app_s_name_says_nothing_of_health(client: Client) -> None:
    # Shown under its icon on the home screen and with each push message on the lock screen.
    data = client.get(reverse("notify:manifest")).json()
    for key in ("name", "short_name", "description"):
        assert health_words_in(data[key]) == [], (key, data[key])


# Not "page": that name is pytest-playwright's fixture (see tests/rehab/test_patient_voice.py).
@pytest.mark.parametrize("url_name", ["rehab:today", "rehab:atrs"])
def test_a_phone_adding_a_patient_page_to_its_home_screen_is_offered_the_site_s_name(
    url_name: str, patient: Patient
) -> None:
    # Safari names the home-screen app after apple-mobile-web-app-title, else the page's title,
    # and the questionnaire's title names the condition.
    assert patient.user is not None
    html = client_for(patient.user).get(reverse(url_name)).content.decode()
    assert f'<meta name="apple-mobile-web-app-title" content="{settings.SITE_NAME}">' in html
