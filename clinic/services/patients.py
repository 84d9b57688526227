"""Patients: registering one (a retry, a double submit or the same person twice is caught),
changing their details, discharging, archiving and reactivating them (never once erased:
``Patient.check_not_erased``)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic import events
from clinic.models import PATIENT_DETAILS, Clinic, Clinician, Patient, User
from clinic.services.invitations import invitations_revoke
from core.resubmit import sent_before

logger = logging.getLogger(__name__)

PATIENT_FIELDS = frozenset(PATIENT_DETAILS)
# A second identical "add patient" within this many seconds is a double submit: the first row
# is returned instead of a second one.
PATIENT_DUPLICATE_WINDOW = dt.timedelta(seconds=60)


def _check_patient_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - PATIENT_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )


def _check_therapist(patient: Patient, *, current_id: int | None = None) -> None:
    """The patient's physiotherapist is a clinician of their clinic who has joined the team
    (``Clinician.objects.joined``): an invited one who has not set a password, or a deactivated
    one, cannot see patients. ``current_id``, the one the patient has now, is kept as it is."""
    therapist = patient.therapist
    if therapist is None:
        return
    if therapist.clinic_id != patient.clinic_id:
        raise ValidationError(
            {"therapist": _("Choose a clinician of this clinic.")}, code="other_clinic"
        )
    if therapist.pk == current_id:
        return
    stored = Clinician.objects.select_related("user").get(pk=therapist.pk)
    if not stored.user.is_active:
        raise ValidationError(
            {
                "therapist": _(
                    "%(name)s has been deactivated and cannot see patients: choose an active "
                    "colleague."
                )
                % {"name": stored.user.get_full_name()}
            },
            code="not_active",
        )
    check_joined(stored, field="therapist")


def check_joined(clinician: Clinician, *, field: str) -> None:
    """A clinician given patients (their physiotherapist, or the one a deactivated colleague's
    patients go to) has joined the team: an invited one who has not set a password cannot see
    patients. Else ``ValidationError`` on ``field``."""
    if not clinician.has_joined:
        raise ValidationError(
            {
                field: _(
                    "%(name)s has not joined the team yet (the invitation is not accepted), so "
                    "they cannot see patients: choose a colleague who has joined."
                )
                % {"name": clinician.user.get_full_name()}
            },
            code="not_joined",
        )


def _check_email_free(patient: Patient) -> None:
    """Two patients of a clinic with one email address could not both accept an invitation."""
    if not patient.email:
        return
    others = Patient.objects.filter(clinic_id=patient.clinic_id, email__iexact=patient.email)
    if patient.pk:
        others = others.exclude(pk=patient.pk)
    if others.exists():
        raise ValidationError(
            {"email": _("Another patient of this clinic already has this email address.")},
            code="email_in_use",
        )


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    created_by: User | None,
    client_uuid: uuid.UUID | None = None,
    confirm_duplicate: bool = False,
    **fields: Any,
) -> Patient:
    """Register a patient in ``clinic``.

    Sent again with the same ``client_uuid`` (the form's, or an API client's), it returns the
    patient that id registered, whatever else has changed. A repeat of the same details within
    a minute (a double-submitted form without an id) returns the patient created the first
    time. A patient of the clinic with the same name and date of birth is most likely the same
    person registered twice (the Back button, then Submit): refused with ``possible_duplicate``
    unless ``confirm_duplicate`` says this is another person.
    """
    _check_patient_fields(fields)
    # Serialise concurrent adds for this clinic (a no-op on SQLite, whose writes are serial).
    Clinic.objects.lock(clinic.pk)
    if client_uuid is not None and (
        registered := sent_before(
            Patient.objects.all(),
            client_uuid,
            mine=lambda patient: patient.clinic_id == clinic.pk,
            refused=_("This id is already in use: open the page again to add a new patient."),
        )
    ):
        return registered
    fields.setdefault("timezone", clinic.timezone)  # not given: the clinic's
    patient = Patient(clinic=clinic, client_uuid=client_uuid, **fields)
    patient.email = (patient.email or "").strip().lower()
    patient.full_clean()
    duplicate = (
        Patient.objects.filter(
            clinic=clinic,
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth,
            injury_date=patient.injury_date,
            email=patient.email,
            created_at__gte=timezone.now() - PATIENT_DUPLICATE_WINDOW,
        )
        .order_by("pk")
        .first()
    )
    if duplicate is not None:
        return duplicate
    _check_therapist(patient)
    if not confirm_duplicate:
        _check_not_registered(patient)
    _check_email_free(patient)
    patient.save()
    logger.info(
        "Patient %s created in clinic %s by user %s",
        patient.pk,
        clinic.pk,
        created_by.pk if created_by else None,
    )
    return patient


def _check_not_registered(patient: Patient) -> None:
    """Refuse a patient the clinic has already: the same name (case and accents ignored) and
    date of birth. ``params["patient_id"]``: the one it has."""
    same = (
        Patient.objects.filter(clinic_id=patient.clinic_id)
        .same_person(
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth,
        )
        .order_by("pk")
        .first()
    )
    if same is None:
        return
    # The name goes in ``params``, not into the message: Django puts it in when the error is
    # shown, and a name with "%" in it must not be read as a format.
    params: dict[str, Any] = {"name": same.full_name, "patient_id": same.pk}
    if same.date_of_birth:
        message = _(
            "%(name)s, born on %(born)s, is already a patient of this clinic. If this is another "
            "person with the same name and date of birth, confirm it to add them."
        )
        params["born"] = date_format(same.date_of_birth)
    else:
        message = _(
            "%(name)s is already a patient of this clinic. If this is another person with the "
            "same name, confirm it to add them."
        )
    raise ValidationError(message, code="possible_duplicate", params=params)


@transaction.atomic
def patient_update(*, patient: Patient, **fields: Any) -> Patient:
    """Change a patient's details (not their clinic, account or status). A new injury or
    surgery date or pathway re-checks the plan (``patient_course_changed``), and so does a time
    zone that puts the patient on an earlier day (it can put them in an earlier week); a new
    email address ends the links sent to the old one."""
    _check_patient_fields(fields)
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    # Compared with the stored record: a ModelForm has already set the new values on the
    # instance it was given.
    stored = Patient.objects.select_for_update(of=("self",)).get(pk=patient.pk)
    stored.check_not_erased()
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    _check_therapist(patient, current_id=stored.therapist_id)
    _check_email_free(patient)
    patient.save(update_fields=[*fields, "updated_at"])
    if patient.email.lower() != (stored.email or "").lower():
        invitations_revoke(patient)  # sent to the old address
    course = (patient.anchor_date, patient.pathway) != (stored.anchor_date, stored.pathway)
    # A time zone to the west can put the patient on the day before: in the week before.
    earlier_day = patient.local_today() < stored.local_today()
    if course or earlier_day:
        events.patient_course_changed.send(
            sender=Patient, patient=patient, previous_timezone=stored.timezone
        )
    return patient


def _patient_set_status(*, patient: Patient, status: str) -> Patient:
    patient.check_not_erased()
    if patient.status != status:
        patient.status = status
        patient.full_clean()
        patient.save(update_fields=["status", "updated_at"])
        if status != Patient.Status.ACTIVE:
            events.patient_left_care.send(sender=Patient, patient=patient)
        if status == Patient.Status.ARCHIVED:
            invitations_revoke(patient)  # as an archived patient cannot be invited
    return patient


@transaction.atomic
def patient_discharge(*, patient: Patient) -> Patient:
    """Rehabilitation finished: the record and all logs are kept."""
    return _patient_set_status(patient=patient, status=Patient.Status.DISCHARGED)


@transaction.atomic
def patient_archive(*, patient: Patient) -> Patient:
    """Hide the patient from the usual lists. Patients are never deleted."""
    return _patient_set_status(patient=patient, status=Patient.Status.ARCHIVED)


@transaction.atomic
def patient_reactivate(*, patient: Patient) -> Patient:
    return _patient_set_status(patient=patient, status=Patient.Status.ACTIVE)
