"""Two more team actions with consequences ask first, as "Deactivate" does: resetting a
colleague's two-factor sign-in (it signs them out everywhere) and making a colleague a clinic
admin (the team, export and erasure). The first post answers with the question, saying what
will happen; only its "Yes, …" (``confirmed``) does it; a refusal comes before the question."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from clinic.models import Clinician, TeamEvent
from tests.confirmations import asks_first
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_two_factor_reset_asks_first_and_nothing_changes_until_confirmed(
    admin: Clinician, clinician: Clinician
) -> None:
    TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    AuthToken.objects.create(user=clinician.user)
    client = client_for(admin.user)
    url = reverse("clinic:team_reset_two_factor", args=[clinician.pk])

    page = asks_first(
        client,
        url,
        yes="Yes, reset two-factor sign-in",
        cancel=reverse("clinic:team_member", args=[clinician.pk]),
    )
    assert TOTPDevice.objects.filter(user=clinician.user).exists()
    assert AuthToken.objects.filter(user=clinician.user).exists()
    assert not TeamEvent.objects.filter(action="two_factor_reset").exists()
    assert f"Reset the two-factor sign-in of {clinician.user.get_full_name()}?" in page
    assert "signed out everywhere" in page
    assert "set it up again" in page

    done = client.post(url, {"confirmed": "1"})

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=clinician.user).exists()
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    assert TeamEvent.objects.filter(action="two_factor_reset").exists()


def test_a_two_factor_reset_refusal_comes_before_the_question(
    admin: Clinician, clinician: Clinician
) -> None:
    response = client_for(admin.user).post(
        reverse("clinic:team_reset_two_factor", args=[clinician.pk])
    )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [
        (
            f"{clinician.user.get_full_name()} has not set up two-factor sign-in: there is "
            "nothing to reset."
        )
    ]


def test_making_a_colleague_clinic_admin_asks_first_saying_what_the_role_can_do(
    admin: Clinician, clinician: Clinician
) -> None:
    AuthToken.objects.create(user=clinician.user)
    client = client_for(admin.user)
    url = reverse("clinic:team_role", args=[clinician.pk])

    page = asks_first(
        client,
        url,
        {"role": "admin"},
        yes="Yes, make them a clinic admin",
        cancel=reverse("clinic:team_member", args=[clinician.pk]),
    )
    clinician.refresh_from_db()
    assert clinician.role == "therapist"
    assert AuthToken.objects.filter(user=clinician.user).exists()
    assert not TeamEvent.objects.filter(action="role_changed").exists()
    assert f"Make {clinician.user.get_full_name()} a clinic admin?" in page
    for can in ("the team", "export", "erase", "access history", "settings"):
        assert can in page
    assert "two-factor sign-in" in page

    done = client.post(url, {"role": "admin", "confirmed": "1"})

    assert done.status_code == 302
    clinician.refresh_from_db()
    assert clinician.role == "admin"


def test_making_a_clinic_admin_a_physiotherapist_takes_rights_away_without_a_question(
    admin: Clinician, clinician: Clinician
) -> None:
    Clinician.objects.filter(pk=clinician.pk).update(role="admin")
    response = client_for(admin.user).post(
        reverse("clinic:team_role", args=[clinician.pk]), {"role": "therapist"}
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.role == "therapist"
