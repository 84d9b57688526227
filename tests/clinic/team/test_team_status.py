"""What the team pages say of each clinician's state: whether they have joined the team (set a
password from their invitation) or cannot sign in yet, whatever became of their link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Invitation
from clinic.team import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def invited(admin: Clinician) -> Clinician:
    clinician, _invitation, _token = services.clinician_invite(
        clinic=admin.clinic,
        email="ines@clinic.example",
        full_name="Ines Invited",
        role="therapist",
        invited_by=admin.user,
    )
    return clinician


def team_row(admin: Clinician, name: str) -> str:
    page = client_for(admin.user).get(reverse("clinic:team")).content.decode()
    row = re.search(rf"<tr>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", page, re.DOTALL)
    assert row is not None
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())


def member_page(admin: Clinician, clinician: Clinician) -> str:
    page = client_for(admin.user).get(reverse("clinic:team_member", args=[clinician.pk]))
    return " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())


def test_a_reactivated_clinician_who_never_joined_is_not_shown_as_active(
    admin: Clinician,
) -> None:
    """Deactivating an invited clinician stops their link; reactivating them does not make
    them a member who can sign in: the pages say they are invited, not active."""
    ines = invited(admin)
    services.clinician_deactivate(clinician=ines, deactivated_by=admin.user)
    services.clinician_reactivate(clinician=ines, reactivated_by=admin.user)

    assert "Invited" in team_row(admin, "Ines Invited")
    assert "Active" not in team_row(admin, "Ines Invited")
    page = member_page(admin, ines)
    assert "Status Invited: has not set a password yet; the link no longer works" in page
    assert "Send a new invitation link" in page


def test_an_invited_clinician_whose_link_expired_is_shown_so(admin: Clinician) -> None:
    """An invitation not accepted in time: the admin reads that the link no longer works (and
    sends a new one), not that an invitation is waiting."""
    ines = invited(admin)
    Invitation.objects.filter(clinician=ines).update(
        created_at=timezone.now() - dt.timedelta(days=30),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )

    assert "Invited link no longer works" in team_row(admin, "Ines Invited")
    assert "the link no longer works" in member_page(admin, ines)
    assert "Send a new invitation link" in member_page(admin, ines)


def test_a_clinician_who_joined_is_active(admin: Clinician, clinician: Clinician) -> None:
    name = clinician.user.get_full_name()
    assert "Active" in team_row(admin, name)
    assert "Status Active" in member_page(admin, clinician)


def test_an_invited_clinician_with_a_working_link_is_shown_invited(admin: Clinician) -> None:
    ines = invited(admin)
    assert team_row(admin, "Ines Invited").endswith("Invited not set up 0")
    page = member_page(admin, ines)
    assert "Status Invited: has not set a password yet Two-factor" in page


def refusal(admin: Clinician, email: str) -> list[str]:
    form = {"full_name": "Someone", "email": email, "role": "therapist"}
    response = client_for(admin.user).post(reverse("clinic:team_invite"), form)
    assert response.status_code == 400
    return list(response.context["form"].errors["email"])


def test_inviting_someone_already_in_the_team_says_what_to_do_for_their_state(
    admin: Clinician, clinician: Clinician
) -> None:
    """The refusal of an address already in the team was one sentence for everyone ("invite
    them again or reactivate them"), also for a colleague who has joined and is active."""
    email = clinician.user.email
    assert refusal(admin, email) == [f"{email} is already in your team and can sign in."]

    ines = invited(admin)
    assert refusal(admin, "ines@clinic.example") == [
        (
            "ines@clinic.example is already invited to your team; open their page to send a "
            "new invitation link."
        )
    ]

    services.clinician_deactivate(clinician=ines, deactivated_by=admin.user)
    assert refusal(admin, "ines@clinic.example") == [
        "ines@clinic.example is in your team but deactivated; open their page to reactivate them."
    ]
