"""Access helpers: one per resource, used by every page and API view.

Another clinic's or another patient's object answers 404, never 403, so its existence is not
revealed. Anonymous users are sent to sign in by the decorators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from clinic.models import Clinic, Clinician, Invitation, Message, Patient, User
from core.touched import touch


def clinician_of(user: User | Any) -> Clinician | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        clinician: Clinician = user.clinician
        return clinician
    except Clinician.DoesNotExist:
        return None


def patient_of(user: User | Any) -> Patient | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        patient: Patient = user.patient
    except Patient.DoesNotExist:
        return None
    touch(patient.pk)  # the audit trail: this request is about the patient's own data
    return patient


def own_patient(request: HttpRequest) -> Patient:
    """The signed-in patient's own record, for a view behind ``patient_required`` (anyone
    else: 404; the decorator has sent them away already, this keeps the type narrow)."""
    patient = patient_of(request.user)
    if patient is None:
        raise Http404
    return patient


def _required[V: Callable[..., HttpResponse]](record_of: Callable[[Any], Any]) -> Callable[[V], V]:
    """A view decorator: signed-in users whose ``record_of(user)`` exists only; anyone else
    signed in gets 404; anonymous, the sign-in page."""

    def decorator(view: V) -> V:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if record_of(request.user) is None:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def clinic_admin_of(user: User | Any) -> Clinician | None:
    """The user's clinician record if they are an admin of their clinic, else None."""
    clinician = clinician_of(user)
    return clinician if clinician is not None and clinician.is_clinic_admin else None


# Signed-in clinicians only; patients with an active record only; clinic admins only (the
# team, the clinic's settings, histories: any other clinician, a patient or staff 404).
clinician_required = _required(clinician_of)
patient_required = _required(patient_of)
clinic_admin_required = _required(clinic_admin_of)


def clinic_for(user: User | Any) -> Clinic:
    clinician = clinician_of(user)
    if clinician is None:
        raise Http404
    return clinician.clinic


def clinic_id_for(user: User | Any) -> int:
    """The id of a clinician's clinic (what a clinician's object must belong to); for anyone
    else, 404."""
    clinician = clinician_of(user)
    if clinician is None:
        raise Http404
    return clinician.clinic_id


def patients_for(user: User | Any) -> Any:
    """The patients a user may see: a clinician's clinic's, a patient's own, else none."""
    clinician = clinician_of(user)
    if clinician is not None:
        return Patient.objects.filter(clinic_id=clinician.clinic_id)
    patient = patient_of(user)
    if patient is not None:
        return Patient.objects.filter(pk=patient.pk)
    return Patient.objects.none()


def touch_patients_of(rows: Iterable[Any]) -> None:
    """The audit trail: this request hands out these rows, each a patient or a row of one
    patient's data (``patient_id``). For lists: every patient whose data the answer holds."""
    for row in rows:
        touch(row.pk if isinstance(row, Patient) else getattr(row, "patient_id", None))


def get_patient(user: User | Any, patient_id: int | str) -> Patient:
    """The patient ``patient_id`` if the user may see it, else 404."""
    patient = get_object_or_404(patients_for(user).select_related("clinic", "user"), pk=patient_id)
    touch(patient.pk)
    return patient


def get_patient_for_clinician(user: User | Any, patient_id: int | str) -> Patient:
    """Like ``get_patient`` but only for the clinic's clinicians (for writes)."""
    patient = get_object_or_404(
        Patient.objects.select_related("clinic", "user"),
        pk=patient_id,
        clinic_id=clinic_id_for(user),
    )
    touch(patient.pk)
    return patient


def get_patient_for_clinic_admin(user: User | Any, patient_id: int | str) -> Patient:
    """Like ``get_patient_for_clinician`` but only for the clinic's admins (a patient's access
    history, export and erasure); any other clinician, a patient or anonymous: 404."""
    if clinic_admin_of(user) is None:
        raise Http404
    return get_patient_for_clinician(user, patient_id)


def messages_for(user: User | Any) -> Any:
    return Message.objects.filter(patient__in=patients_for(user))


def get_invitation_for_clinician(user: User | Any, invitation_id: int | str) -> Invitation:
    invitation = get_object_or_404(
        Invitation.objects.select_related("patient"),
        pk=invitation_id,
        patient__clinic_id=clinic_id_for(user),
    )
    touch(invitation.patient_id)
    return invitation


def team_for(user: User | Any) -> Any:
    """The clinicians of the user's clinic (active or not), for a clinician; else none."""
    clinician = clinician_of(user)
    if clinician is None:
        return Clinician.objects.none()
    return Clinician.objects.filter(clinic_id=clinician.clinic_id)


def get_clinician_for_clinic_admin(user: User | Any, clinician_id: int | str) -> Clinician:
    """A clinician of the clinic admin's own clinic; for anyone else, or another clinic's
    clinician: 404."""
    if clinic_admin_of(user) is None:
        raise Http404
    return get_object_or_404(team_for(user).select_related("user", "clinic"), pk=clinician_id)
