"""The clinic's settings page (issue 21, item 2): its clinic admins only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from knox.models import AuthToken

from clinic.models import Clinic, Clinician, TeamEvent
from clinic.profile.forms import SETTINGS_FIELDS
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = reverse("clinic:clinic_settings")


def form(clinic: Clinic, **changes: object) -> dict[str, object]:
    """The page's form as it stands for ``clinic``, with ``changes``."""
    data: dict[str, object] = {
        name: getattr(clinic, name)
        for name in SETTINGS_FIELDS
        if name not in ("opening_hours", "alert_emails")
    }
    data["requires_mfa"] = "on" if clinic.requires_mfa else ""
    data["message_digest_time"] = clinic.message_digest_time.strftime("%H:%M")
    data["alert_contacts"] = "\n".join(clinic.alert_emails)
    for day, hours in enumerate(clinic.opening_hours):
        data[f"opens_{day}"], data[f"closes_{day}"] = hours or ("", "")
    return {**data, **changes}


def test_a_clinic_admin_changes_the_settings(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    clinic = clinician.clinic
    response = client_for(admin.user).post(URL, form(clinic, phone="+44 20 0000 1111"))
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.phone == "+44 20 0000 1111"
    assert TeamEvent.objects.get(action="settings_changed").detail == "phone"


def test_the_teams_history_names_the_settings_changed_by_their_labels(
    clinician: Clinician,
) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    changes = {"out_of_hours_phone": "111", "requires_mfa": ""}
    assert client_for(admin.user).post(URL, form(clinician.clinic, **changes)).status_code == 302
    assert TeamEvent.objects.get(action="settings_changed").detail == (
        "clinicians must use two-factor sign-in, out-of-hours phone"
    )


def test_the_page_holds_the_notification_settings_too(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    client_for(admin.user).post(
        URL,
        form(clinician.clinic, emergency_number="112", opens_5="09:00", closes_5="12:00"),
    )
    clinic = Clinic.objects.get(pk=clinician.clinic_id)
    assert clinic.emergency_number == "112"
    assert clinic.opening_hours[5] == ["09:00", "12:00"]


def test_requiring_two_factor_ends_the_therapists_tokens(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    Clinic.objects.filter(pk=clinician.clinic_id).update(requires_mfa=False)
    clinician.clinic.refresh_from_db()
    AuthToken.objects.create(user=clinician.user)
    client_for(admin.user).post(URL, form(clinician.clinic, requires_mfa="on"))
    clinician.clinic.refresh_from_db()
    assert clinician.clinic.requires_mfa
    assert not AuthToken.objects.filter(user=clinician.user).exists()


def test_bad_input_is_refused_and_nothing_changes(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    response = client_for(admin.user).post(URL, form(clinician.clinic, name="", email="nope"))
    assert response.status_code == 400
    clinician.clinic.refresh_from_db()
    assert clinician.clinic.name


@pytest.mark.parametrize("who", ["clinician", "patient", "other_clinician", "staff"])
def test_anyone_else_gets_404(request: pytest.FixtureRequest, who: str) -> None:
    user = request.getfixturevalue(who)
    assert client_for(getattr(user, "user", user)).get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    assert client_for(None).get(URL)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("minutes", ["-5", "0", "14"])
def test_an_escalation_time_too_short_is_refused_with_the_real_minimum(
    clinician: Clinician, minutes: str
) -> None:
    """Minus five minutes was answered "at least 0", then zero "at least 15": one answer, the
    real minimum; and the box itself (``min``) says it too."""
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    response = client_for(admin.user).post(
        URL, form(clinician.clinic, alert_escalation_minutes=minutes)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["alert_escalation_minutes"] == [
        "Ensure this value is greater than or equal to 15."
    ]
    page = client_for(admin.user).get(URL).content.decode()
    box = re.search(r'<input[^>]*name="alert_escalation_minutes"[^>]*>', page)
    assert box is not None
    assert 'min="15"' in box.group(0)
