"""A patient's and a clinician's invitation emails give the link's expiry the same way: in the
invitee's time zone as the app shows them their pages (a patient's own, a clinician's clinic's),
named. Before, the clinician's said "(UTC)" and the patient's named no zone at all."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.utils import formats, timezone, translation

from clinic.models import Clinician, Invitation
from clinic.services import invitations as invitation_services
from clinic.team import services as team_services
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)


def expiry_line(invitation: Invitation, zone: str) -> str:
    local = timezone.localtime(invitation.expires_at, zoneinfo.ZoneInfo(zone))
    with translation.override(invitation.clinic.language):
        shown = formats.date_format(local, "DATETIME_FORMAT")
    return f"The link can be used once, until {shown} ({zone} time)."


@time_machine.travel(NOW, tick=False)
def test_a_patients_invitation_gives_the_expiry_in_their_named_time_zone(
    clinician: Clinician, mailoutbox: list[Any]
) -> None:
    clinician.clinic.timezone = "Australia/Sydney"
    clinician.clinic.save(update_fields=["timezone"])
    patient = factories.PatientFactory(
        clinic=clinician.clinic, user=None, email="pat@example.org", timezone="America/Chicago"
    )
    invitation, _token = invitation_services.invitation_create(
        patient=patient, created_by=clinician.user
    )
    (email,) = mailoutbox
    assert expiry_line(invitation, "America/Chicago") in email.body
    assert "UTC" not in email.body


@time_machine.travel(NOW, tick=False)
def test_a_clinicians_invitation_gives_the_expiry_in_the_clinics_named_time_zone(
    admin: Clinician, mailoutbox: list[Any]
) -> None:
    admin.clinic.timezone = "Australia/Sydney"
    admin.clinic.save(update_fields=["timezone"])
    _clinician, invitation, _token = team_services.clinician_invite(
        clinic=admin.clinic,
        email="sam@clinic.example",
        full_name="Sam Newhire",
        role="therapist",
        invited_by=admin.user,
    )
    (email,) = mailoutbox
    assert expiry_line(invitation, "Australia/Sydney") in email.body
    assert "(UTC)" not in email.body
    # The local day differs from UTC's here: the time shown is the clinic's, not UTC's.
    sydney = timezone.localtime(invitation.expires_at, zoneinfo.ZoneInfo("Australia/Sydney"))
    assert sydney.date() != invitation.expires_at.date()
