"""Access helpers for rehab objects, one per resource. Outside the caller's reach: 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.access import clinician_of, patient_of, patients_for
from clinic.models import User
from core.touched import touch
from rehab.models.alerts import Alert
from rehab.models.library import Exercise
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.models.protocols import Protocol


def exercises_for(user: User | Any) -> QuerySet[Exercise]:
    """The shared published library plus the clinician's clinic's own exercises."""
    clinician = clinician_of(user)
    if clinician is None:
        if getattr(user, "is_staff", False):
            return Exercise.objects.all()
        return Exercise.objects.none()
    return Exercise.objects.filter(
        Q(clinic__isnull=True, is_published=True) | Q(clinic_id=clinician.clinic_id)
    )


def get_exercise(user: User | Any, exercise_id: int | str) -> Exercise:
    return get_object_or_404(exercises_for(user), pk=exercise_id)


def protocols_for(user: User | Any) -> QuerySet[Protocol]:
    clinician = clinician_of(user)
    if clinician is None:
        return Protocol.objects.none()
    return Protocol.objects.filter(
        Q(clinic__isnull=True, is_published=True) | Q(clinic_id=clinician.clinic_id)
    )


def get_protocol(user: User | Any, protocol_id: int | str) -> Protocol:
    return get_object_or_404(protocols_for(user), pk=protocol_id)


def plans_for(user: User | Any) -> QuerySet[Plan]:
    """A clinician's clinic's plans; a patient's own active and completed plans (not drafts)."""
    if clinician_of(user) is not None:
        return Plan.objects.filter(patient__in=patients_for(user))
    patient = patient_of(user)
    if patient is not None:
        return Plan.objects.filter(patient=patient).exclude(status=Plan.Status.DRAFT)
    return Plan.objects.none()


def get_plan(user: User | Any, plan_id: int | str) -> Plan:
    plan = get_object_or_404(
        plans_for(user).select_related("patient", "patient__clinic", "current_phase"), pk=plan_id
    )
    touch(plan.patient_id)
    return plan


def get_plan_for_clinician(user: User | Any, plan_id: int | str) -> Plan:
    if clinician_of(user) is None:
        raise Http404
    return get_plan(user, plan_id)


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
