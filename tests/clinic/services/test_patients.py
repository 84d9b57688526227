"""clinic.services.patients: registering, changing, discharging, archiving a patient."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework.test import APIClient

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from tests import factories


def patient_fields(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": dt.date(1980, 12, 10),
        "email": "Ada@Example.org",
        "injured_side": Patient.Side.RIGHT,
        "injury_date": today - dt.timedelta(days=10),
        "pathway": Patient.Pathway.OPERATIVE,
        "surgery_date": today - dt.timedelta(days=8),
        "timezone": "Europe/London",
    }
    fields.update(overrides)
    return fields


def test_patient_create(clinician: Clinician) -> None:
    patient = patient_services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    assert patient.pk
    assert patient.clinic == clinician.clinic
    assert patient.email == "ada@example.org"
    assert patient.status == Patient.Status.ACTIVE


def test_a_new_patients_time_zone_is_their_clinics_unless_given(clinician: Clinician) -> None:
    clinician.clinic.timezone = "Europe/Dublin"
    clinician.clinic.save()
    fields = patient_fields()
    del fields["timezone"]
    patient = patient_services.patient_create(clinic=clinician.clinic, created_by=None, **fields)
    assert patient.timezone == "Europe/Dublin"
    other = patient_services.patient_create(
        clinic=clinician.clinic,
        created_by=None,
        **patient_fields(first_name="Mary", email="", timezone="America/New_York"),
    )
    assert other.timezone == "America/New_York"


def test_patient_create_twice_quickly_makes_one_row(clinician: Clinician) -> None:
    first = patient_services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    second = patient_services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    assert first == second
    assert Patient.objects.count() == 1


def test_patient_create_same_details_later_is_a_new_patient(clinician: Clinician) -> None:
    # Two people may share a name, birthday and injury date (not an email address), once the
    # clinician confirms it is another person (see the same-person tests below).
    fields = patient_fields(email="")
    patient_services.patient_create(clinic=clinician.clinic, created_by=clinician.user, **fields)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        patient_services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, confirm_duplicate=True, **fields
        )
    assert Patient.objects.count() == 2


def test_the_same_name_and_birth_date_later_asks_for_a_confirmation(clinician: Clinician) -> None:
    """Back, then Submit again minutes later: the clinic has this patient already."""
    first = patient_services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    later = patient_fields(first_name="ADA", last_name="Lóvelace", email="")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        with pytest.raises(ValidationError) as error:
            patient_services.patient_create(
                clinic=clinician.clinic, created_by=clinician.user, **later
            )
        assert error.value.code == "possible_duplicate"
        # The patient it names, and the words Django puts into the message when it is shown.
        assert error.value.params == {
            "patient_id": first.pk,
            "name": "Ada Lovelace",
            "born": date_format(first.date_of_birth),
        }
        assert "Ada Lovelace, born on" in error.value.messages[0]
        assert Patient.objects.count() == 1
        # Another clinic, or another date of birth, is another person.
        other = factories.ClinicFactory()
        patient_services.patient_create(clinic=other, created_by=None, **later)
        born = dt.date(1981, 1, 1)
        patient_services.patient_create(
            clinic=clinician.clinic, created_by=None, **{**later, "date_of_birth": born}
        )
    assert Patient.objects.count() == 3


def test_the_same_client_uuid_is_the_same_registration(clinician: Clinician) -> None:
    key = uuid.uuid4()
    first = patient_services.patient_create(
        clinic=clinician.clinic, created_by=None, client_uuid=key, **patient_fields()
    )
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        again = patient_services.patient_create(
            clinic=clinician.clinic,
            created_by=None,
            client_uuid=key,
            **patient_fields(first_name="Changed"),
        )
    assert again == first
    assert Patient.objects.get().first_name == "Ada"
    with pytest.raises(ValidationError) as error:
        patient_services.patient_create(
            clinic=factories.ClinicFactory(), created_by=None, client_uuid=key, **patient_fields()
        )
    assert "client_uuid" in error.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"surgery_date": None}, "surgery_date"),
        ({"pathway": Patient.Pathway.NON_OPERATIVE}, "surgery_date"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_patient_create_validates(
    clinician: Clinician, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        patient_services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, **patient_fields(**overrides)
        )
    assert field in error.value.message_dict
    assert not Patient.objects.exists()


def test_patient_create_refuses_unknown_fields(clinician: Clinician) -> None:
    with pytest.raises(ValidationError):
        patient_services.patient_create(
            clinic=clinician.clinic,
            created_by=clinician.user,
            **patient_fields(status=Patient.Status.ARCHIVED),
        )


def test_patient_email_must_be_free_in_the_clinic(clinician: Clinician) -> None:
    factories.PatientFactory(clinic=clinician.clinic, user=None, email="ada@example.org")
    with pytest.raises(ValidationError) as error:
        patient_services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
        )
    assert "email" in error.value.message_dict
    assert Patient.objects.count() == 1


def test_patient_email_used_in_another_clinic_is_fine(clinician: Clinician) -> None:
    factories.PatientFactory(user=None, email="ada@example.org")
    patient_services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    assert Patient.objects.count() == 2


def test_patient_update_keeps_own_email_but_not_anothers(
    patient: Patient, other_patient: Patient
) -> None:
    patient_services.patient_update(patient=patient, email=patient.email.upper())
    with pytest.raises(ValidationError):
        patient_services.patient_update(patient=patient, email=other_patient.email)
    assert Patient.objects.get(pk=patient.pk).email != other_patient.email


def test_patient_update(patient: Patient) -> None:
    patient_services.patient_update(patient=patient, first_name="Grace", email="GRACE@example.org")
    patient.refresh_from_db()
    assert patient.first_name == "Grace"
    assert patient.email == "grace@example.org"


def test_patient_update_validates_and_saves_nothing(patient: Patient) -> None:
    with pytest.raises(ValidationError):
        patient_services.patient_update(
            patient=patient, surgery_date=patient.injury_date - dt.timedelta(days=1)
        )
    patient.refresh_from_db()
    assert patient.surgery_date is not None
    assert patient.surgery_date >= patient.injury_date


def test_patient_status_changes(patient: Patient) -> None:
    patient_services.patient_discharge(patient=patient)
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.DISCHARGED
    patient_services.patient_archive(patient=patient)
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.ARCHIVED
    patient_services.patient_reactivate(patient=patient)
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.ACTIVE


# --- A possible duplicate with "%" in the name (from review: it answered 500) -------------


@pytest.mark.django_db
def test_possible_duplicate_with_percent_in_name_asks_to_confirm() -> None:
    clinician = factories.ClinicianFactory()
    data = factories.patient_form_data(first_name="Ada 100%", email="ada1@example.org")
    client = Client(raise_request_exception=False)
    client.force_login(clinician.user)
    first = client.post(reverse("clinic:patient_create"), data)
    assert first.status_code == 302
    again = client.post(
        reverse("clinic:patient_create"),
        {**data, "email": "ada2@example.org", "injury_date": data["surgery_date"]},
    )
    assert again.status_code == 200  # the form again, asking to confirm
    assert "confirm_duplicate" in again.content.decode()


@pytest.mark.django_db
def test_api_possible_duplicate_with_percent_in_name_is_a_400() -> None:
    clinician = factories.ClinicianFactory()
    factories.PatientFactory(clinic=clinician.clinic, first_name="Ada 100%", last_name="Lovelace")
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(clinician.user)
    body = {
        "first_name": "Ada 100%",
        "last_name": "Lovelace",
        "injured_side": "left",
        "injury_date": factories.patient_form_data()["injury_date"],
        "pathway": "non_operative",
    }
    response = client.post("/api/v1/patients/", body, format="json")
    assert response.status_code == 400


NOT_JOINED = (
    "Ines Invited has not joined the team yet (the invitation is not accepted), so they cannot "
    "see patients: choose a colleague who has joined."
)


def test_patient_create_refuses_a_therapist_who_has_not_joined(
    clinician: Clinician, invited: Clinician
) -> None:
    with pytest.raises(ValidationError) as error:
        patient_services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, **patient_fields(therapist=invited)
        )
    assert error.value.message_dict == {"therapist": [NOT_JOINED]}
    assert not Patient.objects.exists()


def test_patient_create_refuses_a_deactivated_therapist(clinician: Clinician) -> None:
    gone = factories.ClinicianFactory(clinic=clinician.clinic, user__is_active=False)
    with pytest.raises(ValidationError) as error:
        patient_services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, **patient_fields(therapist=gone)
        )
    assert list(error.value.message_dict) == ["therapist"]


def test_patient_update_refuses_handing_the_patient_to_someone_not_joined(
    clinician: Clinician, patient: Patient, invited: Clinician
) -> None:
    with pytest.raises(ValidationError) as error:
        patient_services.patient_update(patient=patient, therapist=invited)
    assert error.value.message_dict == {"therapist": [NOT_JOINED]}
    assert Patient.objects.get(pk=patient.pk).therapist_id != invited.pk


def test_patient_update_keeps_a_therapist_who_has_not_joined_when_unchanged(
    clinician: Clinician, invited: Clinician
) -> None:
    """An assignment made before the rule is left as it is: other details can still change."""
    patient = factories.PatientFactory(clinic=clinician.clinic, therapist=invited)
    patient_services.patient_update(patient=patient, first_name="Grace", therapist=invited)
    assert Patient.objects.get(pk=patient.pk).first_name == "Grace"
