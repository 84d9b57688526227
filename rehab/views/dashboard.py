"""The clinician's dashboard, patient list and alerts inbox."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from clinic.access import clinic_for, clinician_of, clinician_required
from clinic.models import User
from core.redirects import safe_next_url
from core.users import signed_in_user
from rehab.access import get_alert_for_clinician
from rehab.forms.dashboard import PatientListForm
from rehab.selectors import clinician as clinician_selectors
from rehab.services import alerts as alert_services

PAGE_SIZE = 20
DASHBOARD_ALERTS = 50  # the rest are in the alerts inbox
DASHBOARD_BEHIND = 20  # the furthest behind; the patient list shows everyone's adherence
ALERTS_TEMPLATE = "rehab/dashboard/alerts.html"


@require_GET
@clinician_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My patients first, then open alerts, patients falling behind, unread messages."""
    clinic = clinic_for(request.user)
    me = clinician_of(request.user)
    today = clinic.local_today()
    alerts, alert_count = clinician_selectors.first_open_alerts(clinic.pk, limit=DASHBOARD_ALERTS)
    behind = clinician_selectors.falling_behind(
        clinic_id=clinic.pk, today=today, limit=DASHBOARD_BEHIND
    )
    # The rows show each patient's name and link, not the rest of their record.
    unread = list(
        clinician_selectors.patients_with_unread_messages(clinic.pk).only("first_name", "last_name")
    )
    context = {
        "title": _("Dashboard"),
        "clinic": clinic,
        "my_patients": clinician_selectors.my_patients(clinician_id=me.pk if me is not None else 0),
        "alerts": alerts,
        "alert_count": alert_count,
        "behind": behind.rows,
        "behind_more": behind.more,
        "unread": unread,
        # patients_with_unread_messages annotates unread_count.
        "unread_total": sum(cast("Any", patient).unread_count for patient in unread),
        "falling_behind_percent": clinician_selectors.FALLING_BEHIND_PERCENT,
        "next": request.get_full_path(),
    }
    return render(request, "rehab/dashboard/dashboard.html", context)


# The patient list's columns: (sort key, heading). Each heading is a link that sorts by it.
PATIENT_COLUMNS = (
    ("name", _lazy("Name")),
    ("week", _lazy("Phase and week")),
    ("adherence", _lazy("Adherence, last 7 days")),
    ("pain", _lazy("Last pain")),
    ("alerts", _lazy("Open alerts")),
    ("activity", _lazy("Last activity")),
)


@require_GET
@clinician_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """The clinic's patients (or the clinician's own): search, filters, adherence, last pain,
    open alerts and last activity, sortable by each column. Filters and sort are in the URL."""
    clinic = clinic_for(request.user)
    form = PatientListForm(request.GET)
    filters = form.filters()
    patients = clinician_selectors.patients_matching(clinic_id=clinic.pk, **filters)
    if form.show_mine():
        me = clinician_of(request.user)
        patients = patients.filter(therapist_id=me.pk if me is not None else 0)
    sort = form.sort_by()
    today = clinic.local_today()
    page: Page[Any]
    if sort == "name":  # the stored order: only the page's rows are read
        page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = clinician_selectors.patient_rows(list(page.object_list), today=today)
    else:  # a computed column: each matching row's value is read and sorted (constant queries)
        every = clinician_selectors.sorted_patient_rows(patients, sort=sort, today=today)
        page = Paginator(every, PAGE_SIZE).get_page(request.GET.get("page"))
        # The other columns, of the page's rows only.
        rows = clinician_selectors.complete_patient_rows(
            list(page.object_list), sort=sort, today=today
        )
    columns = [
        {
            "key": key,
            "label": label,
            "sorted": sort.removeprefix("-") == key,
            "descending": sort.startswith("-"),
            "next": f"-{key}" if sort == key else key,
        }
        for key, label in PATIENT_COLUMNS
    ]
    return render(
        request,
        "rehab/dashboard/patient_list.html",
        {
            "title": _("Patients"),
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "columns": columns,
            "sort": sort,
            "show_mine": form.show_mine(),
            "adherence_days": clinician_selectors.ADHERENCE_WINDOW_DAYS,
        },
    )


@require_GET
@clinician_required
def alerts(request: HttpRequest) -> HttpResponse:
    """The alerts inbox: open alerts, or (``?show=acknowledged``) acknowledged ones."""
    clinic = clinic_for(request.user)
    show_acknowledged = request.GET.get("show") == "acknowledged"
    rows = (
        clinician_selectors.acknowledged_alerts_for_clinic(clinic.pk)
        if show_acknowledged
        else clinician_selectors.open_alerts_for_clinic(clinic.pk)
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "title": _("Alerts"),
        "page": page,
        "alerts": clinician_selectors.alerts_page_joined(rows, page),
        "show_acknowledged": show_acknowledged,
        "next": request.get_full_path(),
    }
    if not show_acknowledged:  # the navigation's count of open alerts (rehab_desk)
        context["alert_count"] = page.paginator.count
    return render(request, ALERTS_TEMPLATE, context)


@require_POST
@clinician_required
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for_clinician(request.user, pk)
    alert = alert_services.alert_acknowledge(alert=alert, by=signed_in_user(request, User))
    next_url = safe_next_url(request, reverse("rehab:alerts"))
    if getattr(request, "htmx", False):
        # The inbox's rows with this one alert: its row, now acknowledged.
        return render(request, f"{ALERTS_TEMPLATE}#rows", {"alerts": [alert], "next": next_url})
    return redirect(next_url)
