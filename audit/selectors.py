"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AccessEvent
from clinic.models import Patient, User


def events_for_patient(patient: Patient) -> QuerySet[AccessEvent]:
    """Everything recorded about the patient, newest first (for the clinic's admins): what
    the history page shows of each."""
    return (
        AccessEvent.objects.filter(patient_ref=patient.pk)
        .order_by("-when", "-pk")
        .only(
            "when",
            "actor_name",
            "actor_email",
            "actor_role",
            "action",
            "what",
            "method",
            "path",
            "ip_address",
        )
    )


def clinic_accesses_for_patient(patient: Patient, *, viewer: User) -> QuerySet[AccessEvent]:
    """Who at the clinic opened or changed the patient's record: clinicians only, the
    patient's own accesses left out."""
    return (
        AccessEvent.objects.filter(patient_ref=patient.pk, actor_role__startswith="clinician:")
        .exclude(actor=viewer)
        .order_by("-when", "-pk")
        .only("when", "actor_name", "actor_email", "actor_role", "action", "what")
    )
