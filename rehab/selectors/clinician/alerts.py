"""Reads for the clinician's alerts inbox: open and acknowledged alerts, red flags first,
and a page of them joined to their reports.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    QuerySet,
    Value,
    When,
    Window,
)

from rehab.clinical import RED_FLAGS
from rehab.models.alerts import Alert
from rehab.models.plans import Plan


def _alert_severity_order() -> Case:
    """Red flags before high pain."""
    return Case(When(kind=Alert.Kind.RED_FLAG, then=Value(0)), default=Value(1))


# What an alert row shows of the report: the patient, the check-in's answers, the log's
# exercise, pain, effort and note (joined: no query per row).
ALERT_REPORT = ("patient", "checkin", "log__prescription__exercise")
# The columns those rows read (``rehab/dashboard/alerts.html#rows``): not the exercise's steps,
# cues and safety notes (JSON read for each row) nor the rest of the patient's record.
ALERT_ROW_FIELDS = (
    *("kind", "message", "created_at", "acknowledged_at", "acknowledged_by_id"),
    *("patient__first_name", "patient__last_name"),
    *("checkin__date", "checkin__pain_at_rest", "checkin__swelling", "checkin__note"),
    *(f"checkin__flag_{flag.code}" for flag in RED_FLAGS),
    *("log__date", "log__pain", "log__effort", "log__note", "log__prescription__exercise__name"),
)


def open_alerts_for_clinic(clinic_id: int) -> QuerySet[Alert]:
    """A clinic's open alerts: red flags first, then high pain; newest first within each. Each
    says whether its patient's plan is paused (``plan_paused``): only then does its row offer to
    review and resume exercise (in the same query)."""
    return (
        Alert.objects.open()
        .filter(patient__clinic_id=clinic_id)
        .select_related(*ALERT_REPORT)
        .only(*ALERT_ROW_FIELDS)
        .annotate(
            plan_paused=Exists(
                Plan.objects.filter(patient_id=OuterRef("patient_id"), status=Plan.Status.PAUSED)
            )
        )
        .order_by(_alert_severity_order(), "-created_at", "-pk")
    )


def first_open_alerts(clinic_id: int, *, limit: int) -> tuple[list[Alert], int]:
    """The first ``limit`` of the clinic's open alerts (``open_alerts_for_clinic``'s order) and
    how many are open in all. One query: the number is a window over every open alert."""
    alerts: list[Alert] = list(
        open_alerts_for_clinic(clinic_id).annotate(total=Window(Count("pk")))[:limit]
    )
    return alerts, cast("int", getattr(alerts[0], "total", 0)) if alerts else 0


def acknowledged_alerts_for_clinic(clinic_id: int) -> QuerySet[Alert]:
    """A clinic's acknowledged alerts, the most recently acknowledged first."""
    return (
        Alert.objects.filter(patient__clinic_id=clinic_id, acknowledged_at__isnull=False)
        .select_related(*ALERT_REPORT, "acknowledged_by")
        .only(*ALERT_ROW_FIELDS, "acknowledged_by__full_name", "acknowledged_by__email")
        .order_by("-acknowledged_at", "-pk")
    )


def alerts_page_joined(alerts: QuerySet[Alert], page: Page[Any]) -> QuerySet[Alert]:
    """The alerts of ``page`` (a page of ``alerts``, one of the two querysets above) with their
    reports, in ``alerts``' order. Still one query, but the page's alerts are picked and sorted
    before they are joined to their reports: joining every matching alert first, then sorting,
    took twice as long at 10× data."""
    return alerts.filter(pk__in=cast("QuerySet[Alert]", page.object_list).values("pk"))
