"""The clinic's outcomes for its admins: anonymous aggregates by pathway, and as CSV."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.access import clinic_admin_required, clinic_for
from rehab import clinical
from rehab.selectors import outcomes as outcome_selectors


@clinic_admin_required
@require_GET
def clinic_outcomes(request: HttpRequest) -> HttpResponse:
    clinic = clinic_for(request.user)
    return render(
        request,
        "rehab/outcomes.html",
        {
            "title": _("Outcomes"),
            "clinic": clinic,
            "rows": outcome_selectors.clinic_outcomes(clinic.pk, today=clinic.local_today()),
            "window": outcome_selectors.WINDOW_WEEKS,
            "adherence_days": outcome_selectors.ADHERENCE_DAYS,
            "atrs_low": clinical.ATRS_LOW_THRESHOLD,
        },
    )


def _value(number: float | None) -> float | str:
    """A figure for the CSV: empty when there is none (no patients, no answers), never 0."""
    return "" if number is None else number


@clinic_admin_required
@require_GET
def clinic_outcomes_csv(request: HttpRequest) -> HttpResponse:
    """The same aggregates, one line per pathway and measure (no patient in it)."""
    clinic = clinic_for(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
    writer = csv.writer(response)
    writer.writerow(["pathway", "measure", "value", "n", "reference"])
    days = outcome_selectors.ADHERENCE_DAYS
    for row in outcome_selectors.clinic_outcomes(clinic.pk, today=clinic.local_today()):
        writer.writerow([row.pathway, "patients", row.patients, row.patients, ""])
        for name, n in row.by_phase:
            writer.writerow([row.pathway, f"in phase: {name}", n, n, ""])
        for timing in row.time_to_phase:
            writer.writerow(
                [
                    row.pathway,
                    f"median weeks to reach: {timing.name}",
                    timing.median_weeks,
                    timing.patients,
                    "",
                ]
            )
        for band in row.adherence:
            writer.writerow(
                [
                    row.pathway,
                    f"patients in care with adherence {band.label} over {days} days",
                    band.patients,
                    band.patients,
                    "",
                ]
            )
        writer.writerow(
            [
                row.pathway,
                f"patients in care with nothing prescribed over {days} days",
                row.adherence_unknown,
                row.adherence_unknown,
                "",
            ]
        )
        for week, mean, n, refs in row.atrs_rows:
            reference = "; ".join(f"{r.value:g} at week {r.week} ({r.source})" for r in refs)
            writer.writerow(
                [row.pathway, f"ATRS mean around week {week}", _value(mean), n, reference]
            )
        writer.writerow(
            [
                row.pathway,
                "red flags per 100 patients",
                _value(row.red_flags_per_100),
                row.red_flags,
                "",
            ]
        )
        writer.writerow(
            [
                row.pathway,
                "suspected re-ruptures per 100 patients",
                _value(row.reruptures_per_100),
                row.reruptures,
                "",
            ]
        )
    return response
