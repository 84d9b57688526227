"""Access helpers for rehab objects, one per resource. Outside the caller's reach: 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.access import clinic_id_for, clinician_of, patient_of, patients_for
from clinic.models import User
from core.touched import touch
from rehab.models.alerts import Alert
from rehab.models.criteria import PlanCriterion
from rehab.models.library import Exercise, ExerciseMedia
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan, PlanPhase, Prescription, PrescriptionMedia
from rehab.models.protocols import Protocol, ProtocolItem, ProtocolPhase


def exercises_for(user: User | Any) -> QuerySet[Exercise]:
    """What a user may see of the library: a clinician, the shared published library and their
    clinic's own exercises (archived ones too); a patient, the exercises of their own plans
    (not drafts); site staff, all."""
    clinician = clinician_of(user)
    if clinician is not None:
        return Exercise.objects.filter(
            Q(clinic__isnull=True, is_published=True) | Q(clinic_id=clinician.clinic_id)
        )
    if getattr(user, "is_staff", False):
        return Exercise.objects.all()
    if patient_of(user) is not None:
        return Exercise.objects.filter(
            pk__in=Prescription.objects.filter(phase__plan__in=plans_for(user)).values(
                "exercise_id"
            )
        )
    return Exercise.objects.none()


def get_exercise(user: User | Any, exercise_id: int | str) -> Exercise:
    return get_object_or_404(exercises_for(user), pk=exercise_id)


def get_own_exercise_for_clinician(user: User | Any, exercise_id: int | str) -> Exercise:
    """One of the clinician's clinic's own exercises (to change it). A shared exercise or
    another clinic's: 404 (shared ones are changed by site staff, or copied and adapted)."""
    return get_object_or_404(
        Exercise.objects.select_related("clinic"), pk=exercise_id, clinic_id=clinic_id_for(user)
    )


def protocols_for(user: User | Any) -> QuerySet[Protocol]:
    """Templates a clinician may see: the shared published ones and every version of their
    clinic's own."""
    clinician = clinician_of(user)
    if clinician is None:
        return Protocol.objects.none()
    return Protocol.objects.filter(
        Q(clinic__isnull=True, is_published=True) | Q(clinic_id=clinician.clinic_id)
    )


def get_protocol(user: User | Any, protocol_id: int | str) -> Protocol:
    return get_object_or_404(protocols_for(user), pk=protocol_id)


def get_own_protocol_for_clinician(user: User | Any, protocol_id: int | str) -> Protocol:
    """A version of one of the clinician's clinic's own templates; otherwise 404."""
    return get_object_or_404(
        Protocol.objects.select_related("clinic"), pk=protocol_id, clinic_id=clinic_id_for(user)
    )


def get_own_template_phase_for_clinician(user: User | Any, phase_id: int | str) -> ProtocolPhase:
    """A phase of one of the clinician's clinic's own templates; otherwise 404."""
    return get_object_or_404(
        ProtocolPhase.objects.select_related("protocol"),
        pk=phase_id,
        protocol__clinic_id=clinic_id_for(user),
    )


def get_own_template_item_for_clinician(user: User | Any, item_id: int | str) -> ProtocolItem:
    """An exercise in one of the clinician's clinic's own templates; otherwise 404."""
    return get_object_or_404(
        ProtocolItem.objects.select_related("phase__protocol", "exercise"),
        pk=item_id,
        phase__protocol__clinic_id=clinic_id_for(user),
    )


# --- Photos and videos: one helper for pages, the API and the files themselves -------------


def prescriptions_for(user: User | Any) -> QuerySet[Prescription]:
    """Prescriptions of the plans the user may see (``plans_for``)."""
    return Prescription.objects.filter(phase__plan__in=plans_for(user))


def get_media(user: User | Any, key: Any) -> ExerciseMedia | PrescriptionMedia:
    """The photo or video ``key`` if the user may see it, else 404: an exercise's to whoever
    may see the exercise (``exercises_for``: its clinic's clinicians, a patient whose plan
    contains it; a shared one to every clinician), a patient's own (made for their
    prescription) to that patient and their clinic's clinicians only."""
    exercise_media = (
        ExerciseMedia.objects.filter(key=key, exercise__in=exercises_for(user))
        .select_related("exercise")
        .first()
    )
    if exercise_media is not None:
        return exercise_media
    media = get_object_or_404(
        PrescriptionMedia.objects.select_related("prescription__phase__plan").filter(
            prescription__in=prescriptions_for(user)
        ),
        key=key,
    )
    touch(media.prescription.phase.plan.patient_id)
    return media


def get_prescription_media_for_clinician(user: User | Any, key: Any) -> PrescriptionMedia:
    """A patient's photo or video, for their clinic's clinicians (to remove it)."""
    if clinician_of(user) is None:
        raise Http404
    media = get_media(user, key)
    if not isinstance(media, PrescriptionMedia):
        raise Http404
    return media


def plans_for(user: User | Any) -> QuerySet[Plan]:
    """A clinician's clinic's plans; a patient's own active and completed plans (not drafts)."""
    if clinician_of(user) is not None:
        return Plan.objects.filter(patient__in=patients_for(user))
    patient = patient_of(user)
    if patient is not None:
        return Plan.objects.filter(patient=patient).exclude(status=Plan.Status.DRAFT)
    return Plan.objects.none()


def get_plan(user: User | Any, plan_id: int | str, *, also: Sequence[str] = ()) -> Plan:
    """The plan with its patient, clinic (and its risk-factor offsets, which every guardrail
    of the plan reads) and current phase (and the relations ``also`` names, read in the same
    query)."""
    plan = get_object_or_404(
        plans_for(user).select_related(
            "patient", "patient__clinic__risk_offsets", "current_phase", *also
        ),
        pk=plan_id,
    )
    touch(plan.patient_id)
    return plan


def get_plan_for_clinician(
    user: User | Any, plan_id: int | str, *, also: Sequence[str] = ()
) -> Plan:
    if clinician_of(user) is None:
        raise Http404
    return get_plan(user, plan_id, also=also)


def get_phase_for_clinician(user: User | Any, phase_id: int | str) -> PlanPhase:
    if clinician_of(user) is None:
        raise Http404
    phase = get_object_or_404(
        PlanPhase.objects.select_related("plan", "plan__patient").filter(plan__in=plans_for(user)),
        pk=phase_id,
    )
    touch(phase.plan.patient_id)
    return phase


def get_prescription_for_clinician(user: User | Any, prescription_id: int | str) -> Prescription:
    if clinician_of(user) is None:
        raise Http404
    prescription = get_object_or_404(
        Prescription.objects.select_related("phase", "phase__plan", "exercise").filter(
            phase__plan__in=plans_for(user)
        ),
        pk=prescription_id,
    )
    touch(prescription.phase.plan.patient_id)
    return prescription


def logs_for(user: User | Any) -> QuerySet[ExerciseLog]:
    return ExerciseLog.objects.filter(patient__in=patients_for(user))


def get_log(user: User | Any, log_id: int | str) -> ExerciseLog:
    log = get_object_or_404(logs_for(user).select_related("patient", "prescription"), pk=log_id)
    touch(log.patient_id)
    return log


def get_log_for_patient(user: User | Any, log_id: int | str) -> ExerciseLog:
    """A log the patient themself may change (their own)."""
    patient = patient_of(user)
    if patient is None:
        raise Http404
    return get_object_or_404(
        ExerciseLog.objects.select_related("patient", "prescription"), pk=log_id, patient=patient
    )


def checkins_for(user: User | Any) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(patient__in=patients_for(user))


def get_checkin(user: User | Any, checkin_id: int | str) -> CheckIn:
    checkin = get_object_or_404(checkins_for(user), pk=checkin_id)
    touch(checkin.patient_id)
    return checkin


def atrs_for(user: User | Any) -> QuerySet[AtrsResponse]:
    return AtrsResponse.objects.filter(patient__in=patients_for(user))


def measurements_for(user: User | Any) -> QuerySet[Measurement]:
    return Measurement.objects.filter(patient__in=patients_for(user))


def alerts_for(user: User | Any) -> QuerySet[Alert]:
    return Alert.objects.filter(patient__in=patients_for(user))


def get_alert_for_clinician(user: User | Any, alert_id: int | str) -> Alert:
    if clinician_of(user) is None:
        raise Http404
    alert = get_object_or_404(alerts_for(user).select_related("patient"), pk=alert_id)
    touch(alert.patient_id)
    return alert


def get_plan_criterion_for_clinician(user: User | Any, criterion_id: int | str) -> PlanCriterion:
    """An exit criterion of a plan of the clinician's clinic (anyone else: 404)."""
    if clinician_of(user) is None:
        raise Http404
    criterion = get_object_or_404(
        PlanCriterion.objects.select_related("phase__plan__patient").filter(
            phase__plan__in=plans_for(user)
        ),
        pk=criterion_id,
    )
    touch(criterion.phase.plan.patient_id)
    return criterion
