"""The admin for users, clinics, clinicians, patients, invitations and messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic, Clinician, Invitation, Message, Patient, User, hash_token
from clinic.services import patients as patient_services
from rehab.services import records as record_services
from tests import factories
from tests.admin_helpers import admin_url, assert_changelist_lists, post_data_from

pytestmark = pytest.mark.django_db


def make_invitation(patient: Patient | None = None) -> Invitation:
    now = timezone.now()
    return Invitation.objects.create(
        patient=patient or factories.PatientFactory(),
        token_hash=hash_token("secret-token"),
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
    )


# --- users --------------------------------------------------------------------------------


def test_user_changelist_search_and_filters(staff_client: Client) -> None:
    clinician = factories.ClinicianFactory(user__email="physio@example.org")
    factories.PatientFactory(user__email="patient@example.org")
    url = admin_url(User, "changelist")
    response = staff_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "physio@example.org" in content
    assert f"Physiotherapist, {clinician.clinic}" in content
    response = staff_client.get(url, {"q": "physio@"})
    assert [u.email for u in response.context["cl"].result_list] == ["physio@example.org"]
    for query in ({"is_staff__exact": "1"}, {"is_active__exact": "0"}):
        assert staff_client.get(url, query).status_code == 200


def test_user_changelist_queries_do_not_grow_with_rows(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    factories.ClinicianFactory.create_batch(15)
    factories.PatientFactory.create_batch(15)
    # 1. session, 2. user, 3. count (filtered), 4. count (all), 5. the page of users joined
    # to clinician, clinic and patient, 6. the groups filter choices.
    with django_assert_max_num_queries(6):
        response = staff_client.get(admin_url(User, "changelist"))
    assert response.status_code == 200


def test_user_add_page_asks_for_email_not_username(staff_client: Client) -> None:
    response = staff_client.get(admin_url(User, "add"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="email"' in content
    assert 'name="full_name"' in content
    assert 'name="username"' not in content


def test_user_add_creates_a_user_who_signs_in_with_their_email(staff_client: Client) -> None:
    password = "a-long-and-unusual-passphrase"
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Physio@Example.ORG",
            "full_name": "New Physio",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(full_name="New Physio")
    assert user.email == "new.physio@example.org"
    assert not user.is_staff
    assert Client().login(username="new.physio@example.org", password=password)


def test_user_add_refuses_an_email_in_use_in_another_case(staff_client: Client) -> None:
    factories.UserFactory(email="taken@example.org")
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "TAKEN@example.org",
            "usable_password": "false",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_user_change_page_and_post(staff_client: Client) -> None:
    user = factories.UserFactory(full_name="Old Name")
    url = admin_url(User, "change", user.pk)
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "password/" in response.content.decode()
    response = staff_client.post(url, post_data_from(response, full_name="New Name"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.full_name == "New Name"
    assert user.check_password(factories.PASSWORD)


def test_user_password_can_be_changed_in_the_admin(staff_client: Client) -> None:
    user = factories.UserFactory()
    password = "another-long-passphrase"
    response = staff_client.post(
        # Django's UserAdmin names this URL "auth_user_password_change" whatever the model.
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


# --- clinics, clinicians, patients --------------------------------------------------------


def test_clinic_changelist_add_and_change(staff_client: Client) -> None:
    clinic = factories.ClinicFactory(name="Riverside Physio")
    factories.ClinicianFactory(clinic=clinic)
    response = staff_client.get(admin_url(Clinic, "changelist"), {"q": "Riverside"})
    assert response.status_code == 200
    assert [c.clinician_count for c in response.context["cl"].result_list] == [1]

    response = staff_client.get(admin_url(Clinic, "add"))
    assert response.status_code == 200
    data = post_data_from(response, name="Hilltop Clinic", slug="hilltop", phone="0123")
    response = staff_client.post(admin_url(Clinic, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Clinic.objects.get(slug="hilltop").name == "Hilltop Clinic"

    url = admin_url(Clinic, "change", clinic.pk)
    response = staff_client.get(url)
    assert response.status_code == 200
    assert 'name="clinicians-TOTAL_FORMS"' in response.content.decode()
    response = staff_client.post(url, post_data_from(response, requires_mfa=None))
    assert response.status_code == 302, response.context["adminform"].form.errors
    clinic.refresh_from_db()
    assert not clinic.requires_mfa


def test_clinician_changelist_add_and_change(staff_client: Client) -> None:
    clinician = factories.ClinicianFactory(user__email="physio@example.org")
    assert_changelist_lists(
        staff_client,
        Clinician,
        "physio@example.org",
        [{"q": "physio@"}, {"role__exact": "admin"}, {"clinic__id__exact": clinician.clinic_id}],
    )

    assert staff_client.get(admin_url(Clinician, "add")).status_code == 200
    user = factories.UserFactory()
    response = staff_client.post(
        admin_url(Clinician, "add"),
        {"user": user.pk, "clinic": clinician.clinic_id, "role": Clinician.Role.ADMIN},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Clinician.objects.get(user=user).is_clinic_admin

    response = staff_client.get(admin_url(Clinician, "change", clinician.pk))
    assert response.status_code == 200


def test_patient_changelist_add_and_change(staff_client: Client) -> None:
    patient = factories.PatientFactory(first_name="Ada", last_name="Lovelace")
    url = admin_url(Patient, "changelist")
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()
    for query in (
        {"q": "lovelace"},
        {"pathway__exact": "operative"},
        {"status__exact": "active"},
        {"clinic__id__exact": patient.clinic_id},
    ):
        response = staff_client.get(url, query)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [patient]

    add = staff_client.get(admin_url(Patient, "add"))
    assert add.status_code == 200
    # The model's rules show as form errors: an operative patient needs a surgery date.
    response = staff_client.post(
        admin_url(Patient, "add"),
        post_data_from(
            add,
            clinic=patient.clinic_id,
            first_name="Mary",
            last_name="Somerville",
            injured_side="left",
            pathway="operative",
            injury_date=str(timezone.localdate()),
            surgery_date="",
            timezone="Europe/London",
            status="active",
        ),
    )
    assert response.status_code == 200
    assert "surgery_date" in response.context["adminform"].form.errors

    change_url = admin_url(Patient, "change", patient.pk)
    response = staff_client.get(change_url)
    assert response.status_code == 200
    response = staff_client.post(change_url, post_data_from(response, first_name="Augusta"))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.first_name == "Augusta"


def test_the_admin_leaves_what_the_plan_is_checked_against_to_the_app(
    staff_client: Client,
) -> None:
    # A corrected surgery date, pathway or side changes the patient's week and guardrails:
    # the patient's page re-checks the plan (clinic.services.patients.patient_update); the
    # admin would save it unchecked, so there these are read-only. So is the time zone: one to
    # the west can put the patient on the day before, in the week before.
    patient = factories.PatientFactory(pathway="operative")
    before = (
        patient.surgery_date,
        patient.injury_date,
        patient.pathway,
        patient.injured_side,
        patient.timezone,
    )
    change_url = admin_url(Patient, "change", patient.pk)
    response = staff_client.get(change_url)
    form = response.context["adminform"].form
    for name in (
        *("clinic", "status", "injured_side", "pathway", "injury_date", "surgery_date"),
        "timezone",
    ):
        assert name not in form.fields, name
    assert "on the patient's page in the app" in response.content.decode()
    moved = timezone.localdate() - dt.timedelta(weeks=30)
    data = post_data_from(
        response, surgery_date=str(moved), pathway="non_operative", timezone="Pacific/Honolulu"
    )
    assert staff_client.post(change_url, data).status_code == 302
    patient.refresh_from_db()
    after = (
        patient.surgery_date,
        patient.injury_date,
        patient.pathway,
        patient.injured_side,
        patient.timezone,
    )
    assert after == before


def test_the_admin_shows_an_erased_record_but_does_not_change_it(
    staff_client: Client, admin: Clinician, patient: Patient
) -> None:
    # Its name, address or account filled in again would undo the erasure.
    patient_services.patient_discharge(patient=patient)
    record_services.patient_erase(patient=patient, by=admin.user)
    change_url = admin_url(Patient, "change", patient.pk)
    response = staff_client.get(change_url)
    assert response.status_code == 200
    assert "adminform" in response.context
    assert not response.context["has_change_permission"]
    staff_client.post(change_url, {"first_name": "Jo", "last_name": "Bloggs", "email": "j@x.org"})
    patient.refresh_from_db()
    assert (patient.first_name, patient.email) == ("Erased", "")


# --- invitations and messages -------------------------------------------------------------


def test_invitation_admin_never_shows_the_token_hash(staff_client: Client) -> None:
    invitation = make_invitation()
    response = staff_client.get(admin_url(Invitation, "changelist"))
    assert response.status_code == 200
    assert invitation.token_hash not in response.content.decode()

    response = staff_client.get(admin_url(Invitation, "change", invitation.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert invitation.token_hash not in content
    # Neither the hash nor a field for it (the sidebar may list other apps' "tokens").
    assert "token_hash" not in content
    assert "token hash" not in content.lower()
    assert not response.context["has_change_permission"]
    assert staff_client.post(admin_url(Invitation, "change", invitation.pk), {}).status_code == 403


def test_invitation_admin_cannot_add_or_filter_by_token_hash(staff_client: Client) -> None:
    invitation = make_invitation()
    assert staff_client.get(admin_url(Invitation, "add")).status_code == 403
    response = staff_client.get(
        admin_url(Invitation, "changelist"),
        {"token_hash__startswith": invitation.token_hash[:2]},
    )
    # A refused lookup is a bad request (and logged), never a filtered list.
    assert response.status_code == 400


def test_invitation_revoke_action(staff_client: Client) -> None:
    invitation = make_invitation()
    response = staff_client.post(
        admin_url(Invitation, "changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not invitation.is_usable()


def test_message_changelist_and_view(staff_client: Client) -> None:
    message = factories.MessageFactory(body="Is <b>swelling</b> normal? " + "x" * 100)
    response = staff_client.get(admin_url(Message, "changelist"), {"from_patient__exact": "1"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Is &lt;b&gt;swelling&lt;/b&gt; normal?" in content
    response = staff_client.get(admin_url(Message, "change", message.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert staff_client.get(admin_url(Message, "add")).status_code == 403


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label == "clinic"], ids=str
)
def test_every_clinic_changelist_answers(staff_client: Client, model: Any) -> None:
    factories.MessageFactory()
    make_invitation()
    factories.ClinicianFactory()
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200


def test_non_staff_are_sent_to_the_admin_login(client: Client) -> None:
    client.force_login(factories.ClinicianFactory().user)
    response = client.get(admin_url(Patient, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
