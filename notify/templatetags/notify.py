"""Notification pieces for other apps' pages (``{% load notify %}``): the reminder offer on
Today, what a patient is told when the clinic is closed, a patient's reminders on the
clinician's patient page, the dashboard's delivery flags, and the account page's links.

Each reads what it shows itself (one or two queries, whatever the page), so the pages of
``clinic`` and ``rehab`` need no code of ``notify``.
"""

from __future__ import annotations

from typing import Any

from django import template

from clinic.access import clinician_of, patient_of
from clinic.models import Clinic, Patient
from notify import selectors
from notify.models import ReminderSettings
from rehab.selectors.today import Today

register = template.Library()


@register.inclusion_tag("notify/_reminder_offer.html")
def reminder_offer(today: Today) -> dict[str, Any]:
    """Offered once the patient has done a whole session today (every exercise due today
    ticked with all its sets at least once) and has never set up reminders; never while they
    may not exercise (a red flag paused the plan, or care has ended)."""
    due = today.due_items
    done_a_session = bool(due) and all(
        any(log.sets_done >= item.prescription.sets for log in item.logs) for item in due
    )
    show = (
        done_a_session
        and today.can_log
        and not ReminderSettings.objects.filter(patient=today.patient).exists()
    )
    return {"show": show}


@register.inclusion_tag("notify/_out_of_hours.html")
def out_of_hours_notice(patient: Patient, flags: Any = None) -> dict[str, Any]:
    """While the clinic is closed: when it will see the report (in the patient's own time
    zone, which may not be the clinic's), and whom to call meanwhile (with the advice of
    ``flags``, red flags from ``rehab.clinical``, when given)."""
    return {
        "notice": selectors.out_of_hours(patient.clinic),
        "flags": flags or [],
        "tz": patient.timezone,
    }


@register.inclusion_tag("notify/_patient_delivery.html")
def patient_notifications(patient: Patient) -> dict[str, Any]:
    return {"patient": patient, "status": selectors.delivery_status(patient)}


@register.inclusion_tag("notify/_dashboard_flags.html")
def delivery_flags(clinic: Clinic) -> dict[str, Any]:
    return {"flags": selectors.dashboard_flags(clinic)}


@register.inclusion_tag("notify/_account_links.html", takes_context=True)
def notification_links(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    clinician = clinician_of(user)
    return {
        "is_patient": clinician is None and patient_of(user) is not None,
        "clinician": clinician,
    }
