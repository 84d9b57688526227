"""The clinic's outcomes for its admins: aggregates by pathway, in full on the page (their own
use), and as CSV to share, without the figures about fewer than 5 patients."""

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
            "fewest": outcome_selectors.FEWEST_SHOWN,
        },
    )


# The n of a figure withheld from the CSV (``outcome_selectors.withheld``): about fewer than
# ``FEWEST_SHOWN`` patients.
WITHHELD = f"<{outcome_selectors.FEWEST_SHOWN}"


def _figure(value: float | None, n: int, *, over: int = 0) -> list[float | int | str]:
    """A figure's value and n columns: the value empty when there is none (no patients, no
    answers), never 0; both withheld (empty, ``<5``) when the figure is about 1 to 4 patients:
    ``n`` of them, or a rate over ``over`` patients."""
    if outcome_selectors.withheld(n, over):
        return ["", WITHHELD]
    return ["" if value is None else value, n]


@clinic_admin_required
@require_GET
def clinic_outcomes_csv(request: HttpRequest) -> HttpResponse:
    """The same aggregates, one line per pathway and measure (no patient in it), to share:
    a figure about fewer than ``FEWEST_SHOWN`` patients is withheld (``_figure``)."""
    clinic = clinic_for(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
    writer = csv.writer(response)
    writer.writerow(["pathway", "measure", "value", "n", "reference"])
    days = outcome_selectors.ADHERENCE_DAYS
    for row in outcome_selectors.clinic_outcomes(clinic.pk, today=clinic.local_today()):
        lines: list[tuple[str, list[float | int | str], str]] = [
            ("patients", _figure(row.patients, row.patients), "")
        ]
        lines += [(f"in phase: {name}", _figure(n, n), "") for name, n in row.by_phase]
        lines += [
            (
                f"median weeks to reach: {timing.name}",
                _figure(timing.median_weeks, timing.patients),
                "",
            )
            for timing in row.time_to_phase
        ]
        lines += [
            (
                f"patients in care with adherence {band.label} over {days} days",
                _figure(band.patients, band.patients),
                "",
            )
            for band in row.adherence
        ]
        lines.append(
            (
                f"patients in care with nothing prescribed over {days} days",
                _figure(row.adherence_unknown, row.adherence_unknown),
                "",
            )
        )
        lines += [
            (
                f"ATRS mean around week {week}",
                _figure(mean, n),
                "; ".join(
                    f"{r.value:g} at week {r.week} ({r.source}): {r.statistic}, {r.group}"
                    for r in refs
                ),
            )
            for week, mean, n, refs in row.atrs_rows
        ]
        lines.append(
            (
                "red flags per 100 patients",
                _figure(row.red_flags_per_100, row.red_flags, over=row.patients),
                "",
            )
        )
        lines.append(
            (
                "suspected re-ruptures per 100 patients",
                _figure(row.reruptures_per_100, row.reruptures, over=row.patients),
                "",
            )
        )
        for measure, (value, n), reference in lines:
            writer.writerow([row.pathway, measure, value, n, reference])
    return response
