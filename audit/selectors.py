"""Reads of the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

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


class EventInWords(NamedTuple):
    """An event as the history pages show it: who (``role``), did what (``action``) to which
    page (``what``), in the reader's words (a template unpacks it:
    ``{% for event, role, action, what in events %}``)."""

    event: AccessEvent
    role: str
    action: str
    what: str


def in_words(events: Iterable[AccessEvent]) -> list[EventInWords]:
    """The events with their role, action and page in the reader's words, each looked up once
    a list for each stored code (a page of 50 events holds a few roles, actions and pages), not
    once an event: an event's words cost more than the rest of its row."""
    roles: dict[str, str] = {}
    actions: dict[str, str] = {}
    pages: dict[str, str] = {}
    lines = []
    for event in events:
        if event.actor_role not in roles:
            roles[event.actor_role] = event.actor_role_words
        if event.action not in actions:
            actions[event.action] = event.get_action_display()
        view_name = event.view_name
        if view_name not in pages:
            pages[view_name] = event.what_words
        lines.append(
            EventInWords(
                event=event,
                role=roles[event.actor_role],
                action=actions[event.action],
                what=pages[view_name],
            )
        )
    return lines
