"""Reactivating a deactivated colleague asks first, as deactivating does: the first post
answers with the question "Reactivate …?", naming them, their role and what they will see
again (the clinic's patients; a clinic admin also the team, the settings, access history,
export and erasure); only its "Yes, reactivate" (``confirmed``) lets them sign in again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Clinician, TeamEvent, User
from tests import factories
from tests.confirmations import asks_first, text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def deactivated(clinician: Clinician) -> Clinician:
    User.objects.filter(pk=clinician.user_id).update(is_active=False)
    return clinician


def test_reactivating_asks_first_saying_who_their_role_and_what_they_see_again(
    admin: Clinician, clinician: Clinician
) -> None:
    deactivated(clinician)
    factories.PatientFactory(clinic=clinician.clinic)
    client = client_for(admin.user)
    url = reverse("clinic:team_reactivate", args=[clinician.pk])

    page = asks_first(
        client,
        url,
        yes="Yes, reactivate",
        cancel=reverse("clinic:team_member", args=[clinician.pk]),
    )
    assert not User.objects.get(pk=clinician.user_id).is_active
    assert not TeamEvent.objects.filter(action="reactivated").exists()
    assert f"Reactivate {clinician.user.get_full_name()}?" in page
    assert "Physiotherapist" in page  # their role
    assert "can sign in again" in page
    assert "every patient of the clinic" in page
    assert "manages the team" not in page  # not an admin

    done = client.post(url, {"confirmed": "1"})

    assert done.status_code == 302
    assert User.objects.get(pk=clinician.user_id).is_active
    assert TeamEvent.objects.filter(action="reactivated").exists()


def test_reactivating_a_clinic_admin_says_what_the_role_sees_again(
    admin: Clinician, clinician: Clinician
) -> None:
    other_admin = deactivated(factories.ClinicAdminFactory(clinic=clinician.clinic))

    asked = client_for(admin.user).post(reverse("clinic:team_reactivate", args=[other_admin.pk]))

    page = text(asked.content.decode())
    assert "Clinic admin" in page
    assert "manages the team" in page
    assert "access history" in page
    assert not User.objects.get(pk=other_admin.user_id).is_active
