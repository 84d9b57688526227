"""Deactivating a clinician hands their patients only to a colleague who has joined the team
(accepted the invitation: set a password) and can sign in; never to one still invited, nor to
a deactivated one. The page offers only those; the service refuses the others too."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import Clinician, TeamEvent
from clinic.team import services
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def deactivated(clinician: Clinician) -> Clinician:
    return factories.ClinicianFactory(
        clinic=clinician.clinic, user__full_name="Dora Deactivated", user__is_active=False
    )


def test_the_page_offers_only_colleagues_who_have_joined(
    admin: Clinician,
    clinician: Clinician,
    colleague: Clinician,
    invited: Clinician,
    deactivated: Clinician,
) -> None:
    response = client_for(admin.user).get(reverse("clinic:team_member", args=[clinician.pk]))
    offered = response.context["deactivate_form"].fields["reassign_to"].queryset
    assert set(offered) == {colleague, admin}
    page = response.content.decode()
    assert colleague.user.get_full_name() in page
    assert "Ines Invited" not in page
    assert "Dora Deactivated" not in page


@pytest.mark.parametrize("target", ["invited", "deactivated"])
def test_a_posted_colleague_who_cannot_take_patients_is_refused_and_nothing_changes(
    admin: Clinician, clinician: Clinician, target: str, request: pytest.FixtureRequest
) -> None:
    other: Clinician = request.getfixturevalue(target)
    theirs = factories.PatientFactory(clinic=clinician.clinic, therapist=clinician)
    response = client_for(admin.user).post(
        reverse("clinic:team_deactivate", args=[clinician.pk]), {"reassign_to": other.pk}
    )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [
        (
            "Choose a colleague who has joined the team and can sign in: someone still invited, "
            "or deactivated, cannot see the patients."
        )
    ]
    clinician.user.refresh_from_db()
    theirs.refresh_from_db()
    assert clinician.user.is_active
    assert theirs.therapist == clinician
    assert not TeamEvent.objects.filter(action="deactivated").exists()


def test_the_service_refuses_a_colleague_who_has_not_joined(
    clinician: Clinician, invited: Clinician
) -> None:
    theirs = factories.PatientFactory(clinic=clinician.clinic, therapist=clinician)
    with pytest.raises(ValidationError) as refused:
        services.clinician_deactivate(clinician=clinician, deactivated_by=None, reassign_to=invited)
    assert refused.value.message_dict == {
        "reassign_to": [
            (
                "Ines Invited has not joined the team yet (the invitation is not accepted), so "
                "they cannot see patients: choose a colleague who has joined."
            )
        ]
    }
    clinician.user.refresh_from_db()
    theirs.refresh_from_db()
    assert (clinician.user.is_active, theirs.therapist) == (True, clinician)


def test_the_service_refuses_a_deactivated_colleague(
    clinician: Clinician, deactivated: Clinician
) -> None:
    with pytest.raises(ValidationError, match="Choose another active clinician"):
        services.clinician_deactivate(
            clinician=clinician, deactivated_by=None, reassign_to=deactivated
        )
    clinician.user.refresh_from_db()
    assert clinician.user.is_active


def test_joined_is_an_active_clinician_with_a_password(
    clinician: Clinician, invited: Clinician, deactivated: Clinician
) -> None:
    assert set(Clinician.objects.joined()) == {clinician}
    assert (clinician.has_joined, invited.has_joined, deactivated.has_joined) == (
        True,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("patients", "to_colleague", "said"),
    [
        (0, False, "no patients assigned"),
        (0, True, "no patients assigned"),
        (1, False, "1 patient left unassigned"),
        (1, True, "1 patient reassigned to Cleo Colleague"),
        (2, True, "2 patients reassigned to Cleo Colleague"),
    ],
)
def test_the_team_history_counts_the_patients_in_plain_words(
    clinician: Clinician, patients: int, to_colleague: bool, said: str
) -> None:
    colleague = factories.ClinicianFactory(
        clinic=clinician.clinic, user__full_name="Cleo Colleague"
    )
    factories.PatientFactory.create_batch(patients, clinic=clinician.clinic, therapist=clinician)
    services.clinician_deactivate(
        clinician=clinician, deactivated_by=None, reassign_to=colleague if to_colleague else None
    )
    event = TeamEvent.objects.get(clinician=clinician, action=TeamEvent.Action.DEACTIVATED)
    assert event.detail == said
