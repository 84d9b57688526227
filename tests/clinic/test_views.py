"""Clinic pages: home, add/edit patient, status changes, invitations.

Each view: it works; a colleague can; another clinic's clinician gets 404; a patient gets 404;
anonymous is sent to sign in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Invitation, Patient, User
from clinic.services import invitations as invitation_services
from tests import factories
from tests.conftest import assert_login_redirect, client_for
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES, VISIBLE_NAMES

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def form_data(**overrides: Any) -> dict[str, Any]:
    return factories.patient_form_data(**overrides)


# --- Home --------------------------------------------------------------------------------------


def test_home_sends_clinicians_to_the_dashboard(clinician: Clinician) -> None:
    response = client_for(clinician.user).get(reverse("clinic:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:dashboard")


def test_home_sends_patients_to_today(patient: Patient) -> None:
    response = client_for(patient.user).get(reverse("clinic:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:today")


def test_home_for_staff_links_to_the_admin(staff: User) -> None:
    response = client_for(staff).get(reverse("clinic:home"))
    assert response.status_code == 200
    assert reverse("admin:index") in response.content.decode()


def test_home_for_a_user_without_a_role(db: None) -> None:
    response = client_for(factories.UserFactory()).get(reverse("clinic:home"))
    assert response.status_code == 200
    assert reverse("admin:index") not in response.content.decode()


def test_home_anonymous(db: None) -> None:
    assert_login_redirect(Client().get("/"), "/")


# --- Add a patient ---------------------------------------------------------------------------


def test_create_page(clinician: Clinician) -> None:
    response = client_for(clinician.user).get(reverse("clinic:patient_create"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="first_name"' in content
    # The time zone: a text box (London by default) with every zone as a suggestion.
    assert re.search(
        r'<input type="text" name="timezone" value="Europe/London"[^>]*list="timezone-names"',
        content,
    )
    assert '<datalist id="timezone-names">' in content
    assert '<option value="Pacific/Auckland"></option>' in content


def test_the_create_page_starts_with_the_clinics_time_zone(clinician: Clinician) -> None:
    clinician.clinic.timezone = "Australia/Sydney"
    clinician.clinic.save()
    content = client_for(clinician.user).get(reverse("clinic:patient_create")).content.decode()
    assert re.search(r'<input type="text" name="timezone" value="Australia/Sydney"', content)


def test_a_physiotherapist_adding_a_patient_starts_as_their_physiotherapist(
    clinician: Clinician, admin: Clinician
) -> None:
    # Left "Unassigned", the patient a physiotherapist has just added was missing from "My
    # patients" on their dashboard. A clinic admin (who registers for the team) starts empty.
    selected = r'<option value="{}" selected>'
    content = client_for(clinician.user).get(reverse("clinic:patient_create")).content.decode()
    assert re.search(selected.format(clinician.pk), content)
    content = client_for(admin.user).get(reverse("clinic:patient_create")).content.decode()
    assert re.search(r'<option value="" selected>Unassigned</option>', content)
    assert not re.search(selected.format(admin.pk), content)


def test_create(clinician: Clinician) -> None:
    response = client_for(clinician.user).post(reverse("clinic:patient_create"), form_data())
    patient = Patient.objects.get()
    assert patient.clinic == clinician.clinic
    assert patient.full_name == "Ada Lovelace"
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:patient_detail", args=[patient.pk])


def test_create_double_submit_makes_one_patient(clinician: Clinician) -> None:
    client = client_for(clinician.user)
    first = client.post(reverse("clinic:patient_create"), form_data())
    second = client.post(reverse("clinic:patient_create"), form_data())
    assert Patient.objects.count() == 1
    assert first["Location"] == second["Location"]


def _page_id(client: Any) -> str:
    """The id the "Add a patient" page carries for its one registration."""
    html = client.get(reverse("clinic:patient_create")).content.decode()
    found = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', html)
    assert found is not None
    return found.group(1)


def test_back_then_submit_again_is_the_same_registration(clinician: Clinician) -> None:
    """The page restored by Back carries the same id: its second submit, even minutes later
    and with a detail changed, finds the patient the first one added."""
    client = client_for(clinician.user)
    page = form_data(client_uuid=_page_id(client))
    first = client.post(reverse("clinic:patient_create"), page)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        again = client.post(reverse("clinic:patient_create"), {**page, "email": "x@example.org"})
    assert Patient.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]


def test_a_patient_already_registered_asks_for_a_confirmation(clinician: Clinician) -> None:
    """Back, then Submit from a fresh page minutes later: the clinic has this patient (same
    name, same date of birth): a warning, a link to the record, and a box to add another."""
    client = client_for(clinician.user)
    client.post(reverse("clinic:patient_create"), form_data(client_uuid=_page_id(client)))
    existing = Patient.objects.get()
    page = form_data(client_uuid=_page_id(client), first_name="ada", email="")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        warned = client.post(reverse("clinic:patient_create"), page)
        assert warned.status_code == 200
        html = warned.content.decode()
        assert "is already a patient of this clinic" in html
        assert reverse("rehab:patient_detail", args=[existing.pk]) in html
        assert 'name="confirm_duplicate"' in html
        assert Patient.objects.count() == 1
        confirmed = client.post(
            reverse("clinic:patient_create"), {**page, "confirm_duplicate": "on"}
        )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"surgery_date": "2000-01-01", "injury_date": "2000-01-05"}, "surgery_date"),
        ({"surgery_date": ""}, "surgery_date"),
        (
            {"injury_date": "2999-01-01", "pathway": "non_operative", "surgery_date": ""},
            "injury_date",
        ),
        ({"timezone": "Not/AZone"}, "timezone"),
        ({"injury_date": "not a date"}, "injury_date"),
        # Implausible dates.
        ({"injury_date": "9999-12-31", "surgery_date": "9999-12-31"}, "injury_date"),
        ({"injury_date": "0001-01-01", "surgery_date": "0001-01-02"}, "injury_date"),
        ({"surgery_date": "9999-12-31"}, "surgery_date"),
        ({"date_of_birth": "0001-01-01"}, "date_of_birth"),
    ],
)
def test_create_bad_input_shows_errors_and_saves_nothing(
    clinician: Clinician, overrides: dict[str, Any], field: str
) -> None:
    response = client_for(clinician.user).post(
        reverse("clinic:patient_create"), form_data(**overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "invalid-feedback" in response.content.decode()
    assert not Patient.objects.exists()


def test_create_colleague(colleague: Clinician) -> None:
    client_for(colleague.user).post(reverse("clinic:patient_create"), form_data())
    assert Patient.objects.get().clinic == colleague.clinic


def test_create_patient_gets_404(patient: Patient) -> None:
    client = client_for(patient.user)
    assert client.get(reverse("clinic:patient_create")).status_code == 404
    assert client.post(reverse("clinic:patient_create"), form_data()).status_code == 404
    assert Patient.objects.count() == 1


def test_create_anonymous(db: None) -> None:
    url = reverse("clinic:patient_create")
    assert_login_redirect(Client().get(url), url)
    assert_login_redirect(Client().post(url, form_data()), url)
    assert not Patient.objects.exists()


# --- Edit a patient --------------------------------------------------------------------------


def test_edit_page(clinician: Clinician, patient: Patient) -> None:
    response = client_for(clinician.user).get(reverse("clinic:patient_edit", args=[patient.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert patient.first_name in content
    assert reverse("clinic:patient_discharge", args=[patient.pk]) in content
    assert reverse("clinic:patient_invite", args=[patient.pk]) in content
    assert "/delete" not in content


def test_edit(clinician: Clinician, patient: Patient) -> None:
    data = form_data(email=patient.email, first_name="Grace")
    response = client_for(clinician.user).post(
        reverse("clinic:patient_edit", args=[patient.pk]), data
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.first_name == "Grace"
    assert patient.pathway == "operative"


def test_edit_bad_input_saves_nothing(clinician: Clinician, patient: Patient) -> None:
    before = Patient.objects.get(pk=patient.pk)
    data = form_data(
        email=patient.email, first_name="Grace", surgery_date="2000-01-01", injury_date="2000-01-05"
    )
    response = client_for(clinician.user).post(
        reverse("clinic:patient_edit", args=[patient.pk]), data
    )
    assert response.status_code == 200
    assert "surgery_date" in response.context["form"].errors
    after = Patient.objects.get(pk=patient.pk)
    assert (after.first_name, after.surgery_date) == (before.first_name, before.surgery_date)


def test_edit_colleague(colleague: Clinician, patient: Patient) -> None:
    url = reverse("clinic:patient_edit", args=[patient.pk])
    assert client_for(colleague.user).get(url).status_code == 200


def test_edit_other_clinic_gets_404(other_clinician: Clinician, patient: Patient) -> None:
    url = reverse("clinic:patient_edit", args=[patient.pk])
    client = client_for(other_clinician.user)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(first_name="Mallory")).status_code == 404
    patient.refresh_from_db()
    assert patient.first_name != "Mallory"


def test_edit_patient_gets_404(patient: Patient) -> None:
    url = reverse("clinic:patient_edit", args=[patient.pk])
    assert client_for(patient.user).get(url).status_code == 404


def test_edit_anonymous(patient: Patient) -> None:
    url = reverse("clinic:patient_edit", args=[patient.pk])
    assert_login_redirect(Client().get(url), url)


# --- Discharge, archive, reactivate ------------------------------------------------------------

STATUS_VIEWS = [
    ("clinic:patient_discharge", Patient.Status.DISCHARGED),
    ("clinic:patient_archive", Patient.Status.ARCHIVED),
]


@pytest.mark.parametrize(("name", "status"), STATUS_VIEWS)
def test_status_change(clinician: Clinician, patient: Patient, name: str, status: str) -> None:
    # The "Yes, …" of the question the button is first answered with.
    response = client_for(clinician.user).post(reverse(name, args=[patient.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:patient_detail", args=[patient.pk])
    patient.refresh_from_db()
    assert patient.status == status


def test_reactivate(colleague: Clinician, patient: Patient) -> None:
    Patient.objects.filter(pk=patient.pk).update(status=Patient.Status.ARCHIVED)
    client_for(colleague.user).post(reverse("clinic:patient_reactivate", args=[patient.pk]))
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ACTIVE


def test_status_change_follows_a_safe_next(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    url = reverse("clinic:patient_discharge", args=[patient.pk])
    response = client.post(url, {"next": "/clinic/patients/", "confirmed": "1"})
    assert response["Location"] == "/clinic/patients/"
    response = client.post(url, {"next": "https://evil.example.com/", "confirmed": "1"})
    assert response["Location"] == reverse("rehab:patient_detail", args=[patient.pk])


@pytest.mark.parametrize(("name", "status"), STATUS_VIEWS)
def test_status_change_is_post_only(
    clinician: Clinician, patient: Patient, name: str, status: str
) -> None:
    response = client_for(clinician.user).get(reverse(name, args=[patient.pk]))
    assert response.status_code == 405
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ACTIVE


@pytest.mark.parametrize(("name", "status"), STATUS_VIEWS)
def test_status_change_other_clinic_and_patient_get_404(
    other_clinician: Clinician, patient: Patient, name: str, status: str
) -> None:
    url = reverse(name, args=[patient.pk])
    assert client_for(other_clinician.user).post(url).status_code == 404
    assert client_for(patient.user).post(url).status_code == 404
    assert_login_redirect(Client().post(url), url)
    patient.refresh_from_db()
    assert patient.status == Patient.Status.ACTIVE


def test_there_is_no_delete_path(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    page = reverse("rehab:patient_detail", args=[patient.pk])
    for path in (f"{page}delete/", page):
        client.delete(path)
        client.post(path)
    assert Patient.objects.filter(pk=patient.pk).exists()


# --- Invite ------------------------------------------------------------------------------------


def invite(client: Client, patient: Patient) -> Any:
    return client.post(reverse("clinic:patient_invite", args=[patient.pk]))


def link_in(response: Any) -> str:
    match = re.search(r'value="(https?://[^"]+/invite/[^"]+/)"', response.content.decode())
    assert match, "the page shows the link"
    return match.group(1)


def test_invite(
    clinician: Clinician, uninvited: Patient, mailoutbox: list[Any], settings: Any
) -> None:
    settings.SITE_URL = "https://rehab.example.org"
    response = invite(client_for(clinician.user), uninvited)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = link_in(response)
    assert link.startswith("https://rehab.example.org/invite/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash != token
    assert invitation.is_usable()
    content = response.content.decode()
    assert '<svg role="img" aria-label="QR code of the invitation link"' in content
    assert "<path" in content
    assert "cannot be shown again" in content
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    assert link in mailoutbox[0].body


def test_invite_colleague(colleague: Clinician, uninvited: Patient) -> None:
    assert invite(client_for(colleague.user), uninvited).status_code == 200


def test_invite_without_email(clinician: Clinician, mailoutbox: list[Any]) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic, user=None, email="")
    response = invite(client_for(clinician.user), patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:patient_edit", args=[patient.pk])
    assert not Invitation.objects.exists()
    assert not mailoutbox


def test_invite_double_submit(clinician: Clinician, uninvited: Patient) -> None:
    client = client_for(clinician.user)
    invite(client, uninvited)
    response = invite(client, uninvited)
    assert response.status_code == 302
    assert Invitation.objects.count() == 1


def test_invite_is_post_only(clinician: Clinician, uninvited: Patient) -> None:
    url = reverse("clinic:patient_invite", args=[uninvited.pk])
    assert client_for(clinician.user).get(url).status_code == 405


def test_invite_other_clinic_patient_anonymous(
    other_clinician: Clinician, uninvited: Patient, patient: Patient, mailoutbox: list[Any]
) -> None:
    url = reverse("clinic:patient_invite", args=[uninvited.pk])
    assert client_for(other_clinician.user).post(url).status_code == 404
    assert client_for(patient.user).post(url).status_code == 404
    assert_login_redirect(Client().post(url), url)
    assert not Invitation.objects.exists()
    assert not mailoutbox


# --- Accept an invitation ------------------------------------------------------------------------


def accept_url(token: str) -> str:
    return reverse("clinic:invitation_accept", args=[token])


def password_data(password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"new_password1": password, "new_password2": password}


def test_accept_page(clinician: Clinician, uninvited: Patient) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    response = Client().get(accept_url(token))
    assert response.status_code == 200
    assert "new@example.org" in response.content.decode()
    assert 'name="new_password1"' in response.content.decode()


def test_accept_creates_the_account_and_signs_in(clinician: Clinician, uninvited: Patient) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    client = Client()
    response = client.post(accept_url(token), password_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:home")
    uninvited.refresh_from_db()
    assert uninvited.user is not None
    assert uninvited.user.email == "new@example.org"
    assert uninvited.user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(uninvited.user.pk)
    assert Invitation.objects.get().used_at is not None
    # The patient can now reach their own pages.
    assert client.get(reverse("rehab:my_messages")).status_code == 200


def test_a_link_to_a_corrected_address_signs_no_one_in(
    clinician: Clinician, uninvited: Patient
) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    client_for(clinician.user).post(
        reverse("clinic:patient_edit", args=[uninvited.pk]),
        form_data(email="right@example.org"),
    )
    uninvited.refresh_from_db()
    assert uninvited.email == "right@example.org"
    stranger = Client()
    assert stranger.get(accept_url(token)).status_code == 410
    stranger.post(accept_url(token), password_data())
    uninvited.refresh_from_db()
    assert uninvited.user is None
    assert SESSION_KEY not in stranger.session


def test_accept_bad_password_shows_errors(clinician: Clinician, uninvited: Patient) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    mismatch = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    for data in (password_data("short"), password_data("new@example.org"), mismatch):
        response = Client().post(accept_url(token), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    uninvited.refresh_from_db()
    assert uninvited.user is None
    assert Invitation.objects.get().used_at is None


def test_accept_is_single_use(clinician: Clinician, uninvited: Patient) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    Client().post(accept_url(token), password_data())
    response = Client().post(accept_url(token), password_data("another-long-passphrase-77"))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    user = User.objects.get(email="new@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert Client().get(accept_url(token)).status_code == 410


def test_accept_expired(clinician: Clinician, uninvited: Patient, settings: Any) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    later = timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS, seconds=1)
    with time_machine.travel(later):
        response = Client().post(accept_url(token), password_data())
        assert response.status_code == 410
        content = response.content.decode()
        assert "expired" in content
        assert "new link" in content
        assert Client().get(accept_url(token)).status_code == 410
    uninvited.refresh_from_db()
    assert uninvited.user is None


def test_accept_just_before_expiry(clinician: Clinician, uninvited: Patient, settings: Any) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    later = timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS, seconds=-60)
    with time_machine.travel(later):
        assert Client().post(accept_url(token), password_data()).status_code == 302


def test_reinvite_invalidates_the_old_link(
    clinician: Clinician, uninvited: Patient, mailoutbox: list[Any]
) -> None:
    client = client_for(clinician.user)
    old = link_in(invite(client, uninvited))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        new = link_in(invite(client, uninvited))
        assert old != new
        old_path = old.split("://", 1)[1].split("/", 1)[1]
        new_path = new.split("://", 1)[1].split("/", 1)[1]
        response = Client().get("/" + old_path)
        assert response.status_code == 410
        assert "replaced by a newer one" in response.content.decode()
        assert Client().get("/" + new_path).status_code == 200
    assert len(mailoutbox) == 2


def test_accept_unknown_token(db: None) -> None:
    response = Client().get(accept_url("no-such-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert Client().post(accept_url("no-such-token"), password_data()).status_code == 404
    assert not User.objects.exists()


def test_accept_refuses_an_email_of_another_account(
    clinician: Clinician, uninvited: Patient
) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    factories.UserFactory(email="new@example.org")
    response = Client().post(accept_url(token), password_data())
    assert response.status_code == 409
    assert "already belongs to another account" in response.content.decode()
    uninvited.refresh_from_db()
    assert uninvited.user is None
    assert Invitation.objects.get().used_at is None


def test_accept_reuses_the_patients_account(clinician: Clinician, patient: Patient) -> None:
    _, token = invitation_services.invitation_create(patient=patient, created_by=clinician.user)
    response = Client().post(accept_url(token), password_data())
    assert response.status_code == 302
    assert User.objects.filter(email=patient.email).count() == 1
    patient.user.refresh_from_db()
    assert patient.user.check_password(NEW_PASSWORD)


def test_create_with_an_email_already_in_the_clinic(clinician: Clinician, patient: Patient) -> None:
    response = client_for(clinician.user).post(
        reverse("clinic:patient_create"), form_data(email=patient.email)
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert Patient.objects.count() == 1


def test_edit_to_an_invited_colleague_is_a_form_error(
    clinician: Clinician, patient: Patient
) -> None:
    invited = factories.ClinicianFactory(clinic=clinician.clinic)
    invited.user.set_unusable_password()
    invited.user.save(update_fields=["password"])
    response = client_for(clinician.user).post(
        reverse("clinic:patient_edit", args=[patient.pk]),
        form_data(email=patient.email, therapist=invited.pk),
    )
    assert response.status_code == 200
    assert "has joined the team" in response.context["form"].errors["therapist"][0]
    assert f'<option value="{invited.pk}"' not in response.content.decode()
    patient.refresh_from_db()
    assert patient.therapist_id is None


# --- Names made only of invisible characters ---------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_only_invisible_characters_is_refused_and_nothing_is_stored(
    clinician: Clinician, field: str, name: str
) -> None:
    response = client_for(clinician.user).post(
        reverse("clinic:patient_create"), form_data(**{field: name})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [INVISIBLE_MESSAGE]
    assert INVISIBLE_MESSAGE in response.content.decode()
    assert not Patient.objects.exists()


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_an_edit_to_an_invisible_name_changes_nothing(
    clinician: Clinician, patient: Patient, name: str
) -> None:
    before = (patient.first_name, patient.last_name)
    response = client_for(clinician.user).post(
        reverse("clinic:patient_edit", args=[patient.pk]),
        form_data(email=patient.email, last_name=name),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"] == [INVISIBLE_MESSAGE]
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name) == before


@pytest.mark.parametrize("name", VISIBLE_NAMES)
def test_a_name_with_a_visible_letter_is_stored_as_written(clinician: Clinician, name: str) -> None:
    response = client_for(clinician.user).post(
        reverse("clinic:patient_create"), form_data(first_name=name, last_name=name)
    )
    assert response.status_code == 302
    assert Patient.objects.values_list("first_name", "last_name").get() == (name, name)
