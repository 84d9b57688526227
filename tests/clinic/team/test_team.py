"""The team pages (issue 21, item 1): invite, role, deactivate, reactivate, two-factor reset;
clinic admins only; refusals that would lock the clinic out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from audit.models import AccessEvent
from clinic.models import Clinician, Invitation, Patient, TeamEvent, UserSession
from clinic.services import patients as patient_services
from clinic.team import services
from tests import factories
from tests.conftest import client_for
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES

pytestmark = pytest.mark.django_db


# The "Yes, …" of the question a deactivation, a two-factor reset or making someone a clinic
# admin is first answered with.
YES = {"confirmed": "1"}


def invite(admin: Clinician, **data: str) -> Any:
    form = {"full_name": "Sam Newhire", "email": "Sam@Clinic.example", "role": "therapist"}
    return client_for(admin.user).post(reverse("clinic:team_invite"), {**form, **data})


def test_a_clinic_admin_invites_a_clinician_who_sets_a_password(admin: Clinician) -> None:
    response = invite(admin)
    assert response.status_code == 200
    sam = Clinician.objects.get(user__email="sam@clinic.example")
    assert (sam.clinic, sam.role) == (admin.clinic, "therapist")
    assert not sam.user.has_usable_password()
    (email,) = mail.outbox
    assert email.to == ["sam@clinic.example"]
    assert "join its team" in email.subject
    link = re.search(r"http\S+/invite/(\S+)/", email.body)
    assert link is not None
    assert link.group(0) in response.content.decode()
    page = client_for(None).get(f"/invite/{link.group(1)}/")
    assert "join its team here as: Physiotherapist" in page.content.decode()
    done = client_for(None).post(
        f"/invite/{link.group(1)}/",
        {
            "new_password1": "a-Long-clinic-passphrase-7",
            "new_password2": "a-Long-clinic-passphrase-7",
        },
    )
    assert done.status_code == 302
    sam.user.refresh_from_db()
    assert sam.user.check_password("a-Long-clinic-passphrase-7")
    assert Invitation.objects.get(clinician=sam).used_at is not None
    actions = list(TeamEvent.objects.filter(clinician=sam).values_list("action", flat=True))
    assert sorted(actions) == ["invited", "joined"]
    again = client_for(None).get(f"/invite/{link.group(1)}/")
    assert again.status_code == 410


def test_an_email_with_an_account_is_refused(admin: Clinician, patient: Patient) -> None:
    response = invite(admin, email=patient.user.email)
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    assert not mail.outbox


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_full_name_of_only_invisible_characters_is_refused(admin: Clinician, name: str) -> None:
    response = invite(admin, full_name=name)
    assert response.context["form"].errors["full_name"] == [INVISIBLE_MESSAGE]
    assert not Clinician.objects.filter(user__email="sam@clinic.example").exists()
    assert not mail.outbox


@pytest.mark.parametrize("who", ["clinician", "patient", "staff", "other_clinician"])
def test_only_the_clinic_admin_reaches_the_team(
    request: pytest.FixtureRequest, admin: Clinician, who: str
) -> None:
    user = request.getfixturevalue(who)
    client = client_for(getattr(user, "user", user))
    assert client.get(reverse("clinic:team")).status_code == 404
    assert client.get(reverse("clinic:team_member", args=[admin.pk])).status_code == 404
    assert invite_as(client).status_code == 404
    assert not Clinician.objects.filter(user__email="sam@clinic.example").exists()


def invite_as(client: Any) -> Any:
    return client.post(
        reverse("clinic:team_invite"),
        {"full_name": "Sam", "email": "sam@clinic.example", "role": "admin"},
    )


def test_a_colleague_admin_sees_the_team_and_another_clinics_clinician_is_404(
    admin: Clinician, clinician: Clinician, other_clinician: Clinician
) -> None:
    colleague_admin = factories.ClinicAdminFactory(clinic=admin.clinic)
    client = client_for(colleague_admin.user)
    page = client.get(reverse("clinic:team")).content.decode()
    assert clinician.user.get_full_name() in page
    assert other_clinician.user.get_full_name() not in page
    assert client.get(reverse("clinic:team_member", args=[other_clinician.pk])).status_code == 404
    response = client.post(reverse("clinic:team_deactivate", args=[other_clinician.pk]))
    assert response.status_code == 404
    other_clinician.user.refresh_from_db()
    assert other_clinician.user.is_active


def test_a_role_change_ends_api_tokens(admin: Clinician, clinician: Clinician) -> None:
    AuthToken.objects.create(user=clinician.user)
    response = client_for(admin.user).post(
        reverse("clinic:team_role", args=[clinician.pk]), {"role": "admin", **YES}, follow=True
    )
    clinician.refresh_from_db()
    assert clinician.role == "admin"
    assert "is now: Clinic admin" in response.content.decode()
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    event = TeamEvent.objects.get(action="role_changed")
    assert event.detail == "Physiotherapist → Clinic admin"


def test_oneself_is_refused_with_the_reason(admin: Clinician) -> None:
    factories.ClinicAdminFactory(clinic=admin.clinic)
    client = client_for(admin.user)
    response = client.post(
        reverse("clinic:team_role", args=[admin.pk]), {"role": "therapist"}, follow=True
    )
    assert "cannot change your own role" in response.content.decode()
    response = client.post(reverse("clinic:team_deactivate", args=[admin.pk]), follow=True)
    assert "cannot deactivate yourself" in response.content.decode()
    admin.refresh_from_db()
    admin.user.refresh_from_db()
    assert (admin.role, admin.user.is_active) == ("admin", True)


def test_the_last_clinic_admin_is_refused_with_the_reason(admin: Clinician) -> None:
    """Another admin deactivates the first; the one left cannot be demoted or deactivated
    (here by the service directly: the page would refuse them as "yourself" first)."""
    second = factories.ClinicAdminFactory(clinic=admin.clinic)
    client_for(second.user).post(
        reverse("clinic:team_deactivate", args=[admin.pk]),
        YES,  # the question answered
    )
    admin.user.refresh_from_db()
    assert not admin.user.is_active  # two admins: one may go
    with pytest.raises(ValidationError, match="only clinic admin"):
        services.clinician_deactivate(clinician=second, deactivated_by=None)
    with pytest.raises(ValidationError, match="only clinic admin"):
        services.clinician_set_role(clinician=second, role="therapist", changed_by=None)
    second.user.refresh_from_db()
    assert second.user.is_active


def test_deactivating_ends_sessions_and_tokens_and_reassigns_patients(
    admin: Clinician, clinician: Clinician, colleague: Clinician
) -> None:
    theirs = factories.PatientFactory(clinic=clinician.clinic, therapist=clinician)
    signed_in = client_for(clinician.user)
    signed_in.get(reverse("rehab:dashboard"))
    AuthToken.objects.create(user=clinician.user)
    assert UserSession.objects.filter(user=clinician.user).exists()
    response = client_for(admin.user).post(
        reverse("clinic:team_deactivate", args=[clinician.pk]),
        {"reassign_to": colleague.pk, **YES},
    )
    assert response.status_code == 302
    clinician.user.refresh_from_db()
    theirs.refresh_from_db()
    assert not clinician.user.is_active
    assert theirs.therapist == colleague
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    assert not UserSession.objects.filter(user=clinician.user).exists()
    assert signed_in.get(reverse("rehab:dashboard")).status_code == 302  # signed out
    assert "reassigned to" in TeamEvent.objects.get(action="deactivated").detail
    client_for(admin.user).post(reverse("clinic:team_reactivate", args=[clinician.pk]), YES)
    clinician.user.refresh_from_db()
    assert clinician.user.is_active


def test_deactivating_without_a_colleague_leaves_patients_unassigned(
    admin: Clinician, clinician: Clinician
) -> None:
    theirs = factories.PatientFactory(clinic=clinician.clinic, therapist=clinician)
    client_for(admin.user).post(reverse("clinic:team_deactivate", args=[clinician.pk]), YES)
    theirs.refresh_from_db()
    assert theirs.therapist is None


@pytest.mark.parametrize("reassigned", [True, False], ids=["reassigned", "unassigned"])
def test_each_patient_a_deactivation_reassigns_is_named_in_the_audit_trail(
    admin: Clinician, clinician: Clinician, colleague: Clinician, reassigned: bool
) -> None:
    # From review: the bulk reassignment changed each patient's record (their therapist) and
    # the audit trail named none of them, whereas a therapist changed on the patient form is
    # audited. Each reassigned (or unassigned) patient is now named by the change.
    theirs = factories.PatientFactory.create_batch(2, clinic=clinician.clinic, therapist=clinician)
    factories.PatientFactory(clinic=clinician.clinic, therapist=colleague)  # not changed
    response = client_for(admin.user).post(
        reverse("clinic:team_deactivate", args=[clinician.pk]),
        {"reassign_to": colleague.pk, **YES} if reassigned else YES,
    )
    assert response.status_code == 302
    for patient in theirs:
        patient.refresh_from_db()
        assert patient.therapist == (colleague if reassigned else None)
    events = AccessEvent.objects.all()
    assert {(e.action, e.patient_ref, e.what) for e in events} == {
        ("change", patient.pk, f"clinic:team_deactivate {clinician.pk}") for patient in theirs
    }
    assert all(e.actor == admin.user for e in events)


def test_a_team_members_page_names_each_patient_it_lists_in_the_audit_trail(
    admin: Clinician, clinician: Clinician, colleague: Clinician
) -> None:
    # From review: the page lists the clinician's active patients by name and the audit trail
    # recorded nothing. It now names each listed patient, as the API's lists do; a page that
    # lists none is one event without a patient, like an empty list.
    listed = factories.PatientFactory(
        clinic=clinician.clinic, therapist=clinician, first_name="Noor", last_name="Haddad"
    )
    factories.PatientFactory(clinic=clinician.clinic, therapist=clinician, status="discharged")
    factories.PatientFactory(clinic=clinician.clinic, therapist=colleague)
    client = client_for(admin.user)
    response = client.get(reverse("clinic:team_member", args=[clinician.pk]))
    assert response.status_code == 200
    assert listed.full_name in response.content.decode()
    (event,) = AccessEvent.objects.all()
    assert (event.action, event.patient_ref, event.what, event.actor) == (
        "read",
        listed.pk,
        f"clinic:team_member {clinician.pk}",
        admin.user,
    )
    assert client.get(reverse("clinic:team_member", args=[admin.pk])).status_code == 200
    assert AccessEvent.objects.filter(what=f"clinic:team_member {admin.pk}").get().patient is None


def test_a_lost_two_factor_device_is_reset(admin: Clinician, clinician: Clinician) -> None:
    TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    StaticDevice.objects.create(user=clinician.user, name="codes", confirmed=True)
    AuthToken.objects.create(user=clinician.user)
    response = client_for(admin.user).post(
        reverse("clinic:team_reset_two_factor", args=[clinician.pk]), YES, follow=True
    )
    assert "they set it up again at their next sign-in" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=clinician.user).exists()
    assert not StaticDevice.objects.filter(user=clinician.user).exists()
    assert not AuthToken.objects.filter(user=clinician.user).exists()
    event = TeamEvent.objects.get(action="two_factor_reset")
    assert (event.actor, event.clinician) == (admin.user, clinician)


def test_reset_two_factor_is_offered_only_to_someone_who_has_it(
    admin: Clinician, clinician: Clinician
) -> None:
    """Offered to a clinician without two-factor sign-in, a "reset" signed them out
    everywhere and logged a reset of nothing."""
    page = reverse("clinic:team_member", args=[clinician.pk])
    reset = f'action="{reverse("clinic:team_reset_two_factor", args=[clinician.pk])}"'
    assert reset not in client_for(admin.user).get(page).content.decode()
    TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    assert reset in client_for(admin.user).get(page).content.decode()


def test_a_reset_of_someone_without_two_factor_is_refused(
    admin: Clinician, clinician: Clinician
) -> None:
    # The button is not offered; a reset posted anyway (an old page, a second tab) says why
    # and signs no one out.
    AuthToken.objects.create(user=clinician.user)
    response = client_for(admin.user).post(
        reverse("clinic:team_reset_two_factor", args=[clinician.pk]), YES, follow=True
    )
    assert "has not set up two-factor sign-in: there is nothing to reset" in response.text
    assert AuthToken.objects.filter(user=clinician.user).exists()
    assert not TeamEvent.objects.filter(action="two_factor_reset").exists()


def test_a_reset_clinician_is_sent_to_set_up_two_factor_again(
    admin: Clinician, clinician: Clinician, settings: Any
) -> None:
    settings.MFA_REQUIRED = True
    TOTPDevice.objects.create(user=clinician.user, name="app", confirmed=True)
    client_for(admin.user)  # the admin's own session is not under test here
    services.clinician_reset_two_factor(clinician=clinician, reset_by=admin.user)
    response = client_for(clinician.user).get(reverse("rehab:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:setup"))


def test_an_invited_clinician_gets_a_new_link(admin: Clinician) -> None:
    invite(admin)
    sam = Clinician.objects.get(user__email="sam@clinic.example")
    first = Invitation.objects.get(clinician=sam)
    Invitation.objects.filter(pk=first.pk).update(  # a minute ago: not a double submit
        created_at=first.created_at - dt.timedelta(minutes=1)
    )
    response = client_for(admin.user).post(reverse("clinic:team_invite_again", args=[sam.pk]))
    assert response.status_code == 200
    assert Invitation.objects.filter(clinician=sam, revoked_at__isnull=True).count() == 1
    assert len(mail.outbox) == 2


def test_the_patient_form_assigns_a_clinician_of_the_clinic(
    clinician: Clinician, other_clinician: Clinician, patient: Patient
) -> None:
    patient_services.patient_update(patient=patient, therapist=clinician)
    patient.refresh_from_db()
    assert patient.therapist == clinician
    with pytest.raises(ValidationError):
        patient_services.patient_update(patient=patient, therapist=other_clinician)
