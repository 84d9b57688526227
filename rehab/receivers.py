"""rehab's answers to the clinic app's patient events (connected in ``RehabConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from clinic.models import Clinician, Invitation, Message, Patient, User
from rehab import pagecache
from rehab.models.alerts import Alert
from rehab.models.library import Equipment, Exercise, ExerciseMedia, MediaFields
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription, PrescriptionMedia
from rehab.services import plans as plan_services


def on_patient_anchor_changed(sender: type[Patient], *, patient: Patient, **_: Any) -> None:
    plan_services.plans_follow_anchor(patient=patient)


def on_patient_left_care(sender: type[Patient], *, patient: Patient, **_: Any) -> None:
    plan_services.plans_complete_for(patient=patient)


# --- Cached pages (rehab.pagecache): a write to a patient's data retires their answers ------


def _plan_patient_id(**plan: Any) -> int | None:
    return Plan.objects.filter(**plan).values_list("patient_id", flat=True).first()


def _patient_id(instance: Any) -> int | None:
    """The patient a row belongs to, from the row or its cached parents; else one query."""
    if isinstance(instance, Patient):
        return int(instance.pk)
    if hasattr(instance, "patient_id"):
        return instance.patient_id
    if isinstance(instance, PrescriptionMedia):  # its prescription's patient (0: none left)
        instance = Prescription(pk=instance.prescription_id, phase_id=_rx_phase(instance) or 0)
    if isinstance(instance, Prescription):
        if not Prescription.phase.is_cached(instance):
            return _plan_patient_id(phases=instance.phase_id)
        instance = instance.phase
    if isinstance(instance, PlanPhase | PhaseChange):
        if type(instance).plan.is_cached(instance):
            return instance.plan.patient_id
        return _plan_patient_id(pk=instance.plan_id)
    return None


def _rx_phase(media: PrescriptionMedia) -> int | None:
    return (
        Prescription.objects.filter(pk=media.prescription_id)
        .values_list("phase_id", flat=True)
        .first()
    )


def on_patient_data_saved(sender: type[Model], *, instance: Model, **_: Any) -> None:
    pagecache.patient_changed(_patient_id(instance))


def on_person_saved(
    sender: type[Model], *, instance: Model, update_fields: Any = None, **_: Any
) -> None:
    """A user or clinician changed: their name shows in their clinic's clinician pages (as an
    author) and, for a patient, in their own pages. A sign-in only stamps ``last_login``."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if isinstance(instance, Clinician):
        pagecache.clinic_changed(instance.clinic_id)
        return
    clinics = Clinician.objects.filter(user_id=instance.pk).values_list("clinic_id", flat=True)
    pagecache.clinic_changed(*clinics)
    pagecache.patient_changed(
        *Patient.objects.filter(user_id=instance.pk).values_list("pk", flat=True)
    )


def on_library_saved(sender: type[Model], **_: Any) -> None:
    pagecache.library_changed()


PATIENT_DATA_MODELS: tuple[type[Model], ...] = (
    Patient,
    Message,
    Invitation,
    Plan,
    PlanPhase,
    Prescription,
    PhaseChange,
    ExerciseLog,
    CheckIn,
    AtrsResponse,
    AtrsRequest,
    Measurement,
    Alert,
    PrescriptionMedia,
)
LIBRARY_MODELS: tuple[type[Model], ...] = (Exercise, Equipment, ExerciseMedia)


def connect_page_cache() -> None:
    handlers: tuple[tuple[Any, tuple[type[Model], ...]], ...] = (
        (on_patient_data_saved, PATIENT_DATA_MODELS),
        (on_library_saved, LIBRARY_MODELS),
        (on_person_saved, (User, Clinician)),
    )
    for handler, models in handlers:
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    handler,
                    sender=model,
                    dispatch_uid=f"rehab.pagecache.{model._meta.label_lower}.{signal is post_save}",
                )
    m2m_changed.connect(
        on_library_saved,
        sender=Exercise.equipment.through,
        dispatch_uid="rehab.pagecache.exercise_equipment",
    )


# --- Media files: a deleted row's files leave the storage -----------------------------------


def on_media_deleted(sender: type[Model], *, instance: MediaFields, **_: Any) -> None:
    """Delete the row's files from the storage once the deletion is committed (also when the
    row goes with its exercise or prescription)."""
    storage = instance.file.storage
    names = [name for name in (instance.file.name, instance.thumbnail.name) if name]

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


def connect_media_files() -> None:
    for model in (ExerciseMedia, PrescriptionMedia):
        post_delete.connect(
            on_media_deleted, sender=model, dispatch_uid=f"rehab.media_files.{model.__name__}"
        )
