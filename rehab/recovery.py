"""A patient's recovery against the published reference trajectories (clinical.md §6): the
ATRS and the heel-rise limb symmetry index by week, drawn against the cohorts' means (a band
of ± 1 SD where the source gives one, points where it does not), and the flags for the
clinician: "behind the published course" and the ATRS below 40 around 3 months.

Pure functions of what the page has read (``rehab.selectors.recovery`` reads the points).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab import clinical
from rehab.models.logbook import AtrsResponse, Measurement
from rehab.models.references import ReferencePoint
from rehab.svg import BLUE, GREY, ORANGE, Chart, _legend, _marker, _plot_box, _r, _scale, _svg

# A reference this many weeks from the patient's week is compared with it.
NEAR_WEEKS = 4
# The individual minimal detectable change of the ATRS (Norwegian, PMC6061451; 18.5 in the
# Danish, PMID 23965178): a smaller difference is not a real one for one patient.
ATRS_MDC = 17
ATRS_MDC_SOURCE = "PMC6061451"
CHART_WEEKS = 56


@dataclass(frozen=True)
class PatientPoint:
    week: int
    value: float
    day: dt.date


@dataclass(frozen=True)
class Flag:
    code: str  # "behind" or "atrs_low"
    message: str


@dataclass(frozen=True)
class Recovery:
    charts: list[Chart]
    references: list[ReferencePoint]
    flags: list[Flag]


def _number(value: Decimal | float) -> str:
    """A measure's value as people write it: "72", not the stored "72.0"; "72.5" stays."""
    return f"{float(value):g}"


def cohorts_for(pathway: str) -> tuple[str, ...]:
    """The reference cohorts drawn for a patient on ``pathway`` (and the healthy ceiling)."""
    own = "operative" if pathway == "operative" else "non_operative"
    return (own, "both", "healthy")


def _atrs_points(patient: Patient, atrs: Sequence[AtrsResponse]) -> list[PatientPoint]:
    return [PatientPoint(patient.week_on(a.date), float(a.total), a.date) for a in atrs]


def _lsi_points(
    patient: Patient, measurements: Sequence[Measurement], code: str
) -> list[PatientPoint]:
    points = []
    for m in measurements:
        value = m.derived(code)
        if value is not None:
            points.append(PatientPoint(patient.week_on(m.date), value, m.date))
    return points


def _describe(point: ReferencePoint) -> str:
    spread = _(" (SD %(sd)s)") % {"sd": _number(point.sd)} if point.sd is not None else ""
    return f"{point.statistic_label} {_number(point.value)}{spread}"


def _axes(xy: Any, *, x_max: int, y_max: int) -> list[str]:
    """The grid, the value labels, the week labels and the axes of a recovery chart."""
    x0, top, x1, bottom = _plot_box()
    parts = []
    for tick in range(0, y_max + 1, 20 if y_max <= 100 else 40):
        _x, y = xy(0, tick)
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{_r(y)}" y2="{_r(y)}" stroke="#dee2e6"/>'
            f'<text x="{x0 - 4}" y="{_r(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="#495057">{tick}</text>'
        )
    week_label = _("wk %(week)s")  # translated once a chart, not once a label
    for week in range(0, x_max + 1, 12):
        x, _y = xy(week, 0)
        parts.append(
            f'<text x="{_r(x)}" y="{_r(bottom + 16)}" text-anchor="middle" font-size="11" '
            f'fill="#495057">{escape(week_label % {"week": week})}</text>'
        )
    parts.append(
        f'<line x1="{x0}" x2="{x0}" y1="{top}" y2="{bottom}" stroke="#495057"/>'
        f'<line x1="{x0}" x2="{x1}" y1="{bottom}" y2="{bottom}" stroke="#495057"/>'
    )
    return parts


def _top(y_max: int, series: Sequence[tuple[str, list[PatientPoint]]]) -> int:
    """The chart's top: ``y_max``, or above it the next 40 that holds the highest value (an
    LSI past 100 % is drawn where it is, not pinned at the top)."""
    highest = max([p.value for _l, points in series for p in points], default=0.0)
    return y_max if highest <= y_max else math.ceil(highest / 40) * 40


def _measure(ref: ReferencePoint, *, mixed: bool, after: str) -> str:
    """A published point's measure, for a chart of more than one (``mixed``), else nothing."""
    return f"{ref.measure_label}{after}" if mixed else ""


def _chart(
    title: str,
    *,
    unit: str,
    y_max: int,
    series: Sequence[tuple[str, list[PatientPoint]]],
    references: Sequence[ReferencePoint],
    plain: bool = False,
) -> Chart:
    """``plain``: the patient's words: no sources, no spreads, "average" for a reference."""
    x0, top, x1, bottom = _plot_box()
    # The last week drawn: four after the patient's last point, and at least ``CHART_WEEKS``.
    x_max = max([p.week for _l, pts in series for p in pts] + [CHART_WEEKS - 4], default=0) + 4
    y_max = _top(y_max, series)

    def xy(week: float, value: float) -> tuple[float, float]:
        return (
            _scale(week, 0, x_max, x0, x1),
            _scale(min(value, y_max), 0, y_max, bottom, top),
        )

    parts: list[str] = _axes(xy, x_max=x_max, y_max=y_max)
    # Each row of the table with its week, for the table's order (the healthy ceiling: last).
    rows: list[tuple[float, tuple[str, ...]]] = []
    # A chart of more than one measure (the heel-rise LSI of the repetitions and of the
    # height) names each published point's: Carmont 2020 gives both at week 52, same group.
    mixed = len({ref.measure for ref in references}) > 1
    # The words of the table's rows, translated once a chart (a chart has dozens of rows).
    week_of, reference_of = _("week %(week)s"), _("reference: %(group)s")
    for ref in references:
        described = _describe(ref)
        label = f"{_measure(ref, mixed=mixed, after=': ')}{described}{unit} – {ref.source}"
        if plain:
            if ref.week is None:
                continue
            label = _("average: %(value)s, week %(week)s") % {
                "value": _number(ref.value),
                "week": ref.week,
            }
            x, y = xy(ref.week, float(ref.value))
            parts.append(str(_marker("square", x, y, ORANGE, label)))
            rows.append(
                (
                    ref.week,
                    (week_of % {"week": ref.week}, _number(ref.value), _("average")),
                )
            )
            continue
        if ref.week is None:  # the ceiling: healthy people
            _x, y = xy(0, float(ref.value))
            parts.append(
                f'<line x1="{x0}" x2="{x1}" y1="{_r(y)}" y2="{_r(y)}" stroke="{GREY}" '
                f'stroke-dasharray="2 3"><title>{escape(label)}</title></line>'
            )
            rows.append(
                (
                    math.inf,
                    (_("healthy"), f"{_number(ref.value)}{unit}", _("reference"), ref.source),
                )
            )
            continue
        x, y = xy(ref.week, float(ref.value))
        if ref.sd is not None:
            _x, y_high = xy(ref.week, float(ref.value + ref.sd))
            _x, y_low = xy(ref.week, float(max(ref.value - ref.sd, Decimal(0))))
            parts.append(
                f'<rect x="{_r(x - 5)}" y="{_r(y_high)}" width="10" '
                f'height="{_r(max(y_low - y_high, 1))}" fill="{ORANGE}" fill-opacity="0.25" '
                f'stroke="{ORANGE}"><title>{escape(label)}</title></rect>'
            )
        parts.append(str(_marker("square", x, y, ORANGE, label)))
        rows.append(
            (
                ref.week,
                (
                    week_of % {"week": ref.week},
                    f"{described}{unit}",
                    reference_of
                    % {"group": f"{_measure(ref, mixed=mixed, after=', ')}{ref.group}"},
                    ref.source,
                ),
            )
        )
    colours = (BLUE, "#56B4E9")
    for (label, points), colour in zip(series, colours, strict=False):
        if len(points) > 1:
            path = " ".join(
                ("M" if i == 0 else "L") + "{},{}".format(*map(_r, xy(p.week, p.value)))
                for i, p in enumerate(points)
            )
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in points:
            x, y = xy(p.week, p.value)
            tip = f"{label}: {_number(p.value)}{unit}, " + week_of % {"week": p.week}
            parts.append(str(_marker("circle", x, y, colour, tip)))
            if plain:
                rows.append((p.week, (week_of % {"week": p.week}, _number(p.value), label)))
                continue
            rows.append(
                (
                    p.week,
                    (
                        week_of % {"week": p.week},
                        f"{_number(p.value)}{unit}",
                        label,
                        _("recorded %(day)s") % {"day": date_format(p.day, "j M Y")},
                    ),
                )
            )
    legend = [
        (label, colour, "", "circle") for (label, _p), colour in zip(series, colours, strict=False)
    ]
    legend.append((_("average") if plain else _("published (± SD)"), ORANGE, "", "square"))
    parts.insert(0, str(_legend(legend)))
    summary = (
        _(
            "Your scores (dots) and the average scores people reported at the same week "
            "after this injury (squares). Everyone recovers at their own pace."
        )
        if plain
        else _("%(count)s of the patient's values against %(refs)s published values.")
        % {"count": sum(len(points) for _l, points in series), "refs": len(references)}
    )
    body = mark_safe("".join(parts))  # noqa: S308  (numbers, and every text escaped)
    # By week, not by the label (where "week 8" comes after "week 52"); a stable sort keeps a
    # reference before the patient's value of the same week.
    table = [row for _week, row in sorted(rows, key=lambda week_row: week_row[0])]
    head = (
        (_("Week"), _("Score"), _("Whose"))
        if plain
        else (
            _("Week"),
            _("Value"),
            _("Whose"),
            _("Source"),
        )
    )
    return Chart(
        title=title, summary=summary, svg=_svg(title, summary, body), head=head, rows=table
    )


def _behind(
    label: str,
    points: Sequence[PatientPoint],
    references: Sequence[ReferencePoint],
    *,
    mdc: int | None,
    unit: str,
) -> Flag | None:
    """The latest point well below a published one of its week or a few weeks before: below
    the band (mean − SD) where the source gives a spread, else (the ATRS) more than the
    individual MDC below."""
    if not points:
        return None
    latest = points[-1]
    for ref in references:
        # A published figure of the patient's week or up to ``NEAR_WEEKS`` before it, never a
        # later one: the scores rise week by week, and a patient below a later week's mean is
        # not behind it (the message names both weeks).
        if ref.week is None or not 0 <= latest.week - ref.week <= NEAR_WEEKS:
            continue
        if ref.sd is not None:
            limit = float(ref.value - ref.sd)
            why = _("below the published band (%(ref)s%(unit)s, %(source)s)")
        elif mdc is not None:
            limit = float(ref.value) - mdc
            why = _(
                "more than the individual minimal detectable change (%(mdc)s points, "
                "%(mdc_source)s) below the published %(ref)s%(unit)s (%(source)s)"
            )
        else:
            continue
        if latest.value < limit:
            return Flag(
                code="behind",
                message=_(
                    "Behind the published course: %(label)s %(value)s%(unit)s in week "
                    "%(week)s is %(why)s at week %(ref_week)s. Information for the clinician, "
                    "not a diagnosis."
                )
                % {
                    "label": label,
                    "value": _number(latest.value),
                    "unit": unit,
                    "week": latest.week,
                    "ref_week": ref.week,
                    "why": why
                    % {
                        "ref": _describe(ref),
                        "unit": unit,
                        "source": ref.source,
                        "mdc": mdc,
                        "mdc_source": ATRS_MDC_SOURCE,
                    },
                },
            )
    return None


def recovery(
    patient: Patient,
    *,
    atrs: Sequence[AtrsResponse],
    measurements: Sequence[Measurement],
    references: Sequence[ReferencePoint],
) -> Recovery:
    """The recovery charts and flags of ``patient`` (``atrs`` and ``measurements`` oldest
    first; ``references`` for the patient's pathway)."""
    by_measure: dict[str, list[ReferencePoint]] = {}
    for ref in references:
        by_measure.setdefault(ref.measure, []).append(ref)
    atrs_points = _atrs_points(patient, atrs)
    reps = _lsi_points(patient, measurements, "heel_rise_reps_lsi")
    height = _lsi_points(patient, measurements, "heel_rise_height_lsi")
    lsi_refs = by_measure.get("heel_rise_reps_lsi", []) + by_measure.get("heel_rise_height_lsi", [])
    charts = [
        _chart(
            _("ATRS against published cohorts"),
            unit="",
            y_max=100,
            series=[(_("ATRS"), atrs_points)],
            references=by_measure.get("atrs", []),
        ),
        _chart(
            _("Heel-rise LSI against published cohorts"),
            unit=" %",
            y_max=120,
            series=[(_("repetitions LSI"), reps), (_("height LSI"), height)],
            references=lsi_refs,
        ),
    ]
    flags = [
        flag
        for flag in (
            _behind(_("ATRS"), atrs_points, by_measure.get("atrs", []), mdc=ATRS_MDC, unit=""),
            _behind(
                _("heel-rise repetitions LSI"),
                reps,
                by_measure.get("heel_rise_reps_lsi", []),
                mdc=None,
                unit=" %",
            ),
            _behind(
                _("heel-rise height LSI"),
                height,
                by_measure.get("heel_rise_height_lsi", []),
                mdc=None,
                unit=" %",
            ),
        )
        if flag is not None
    ]
    low = [p for p in atrs_points if clinical.atrs_is_low(total=int(p.value), week=p.week)]
    if low:
        flags.append(
            Flag(
                code="atrs_low",
                message=_(
                    "ATRS %(total)s in week %(week)s: below %(threshold)s around 3 months, "
                    "which predicts a poor return to sport. Information for "
                    "the clinician, not a diagnosis."
                )
                % {
                    "total": _number(low[-1].value),
                    "week": low[-1].week,
                    "threshold": clinical.ATRS_LOW_THRESHOLD,
                },
            )
        )
    return Recovery(charts=charts, references=list(references), flags=flags)


def patient_chart(
    patient: Patient,
    *,
    atrs: Sequence[AtrsResponse],
    references: Sequence[ReferencePoint],
) -> Chart:
    """The patient's simpler form: their ATRS by week against the average of people after
    the same injury, in plain words: no sources, no spreads, no flags (``patient_averages``)."""
    return _chart(
        _("Your score and the average after the same injury"),
        unit="",
        y_max=100,
        series=[(_("you"), _atrs_points(patient, atrs))],
        references=patient_averages(patient.pathway, references),
        plain=True,
    )


def patient_averages(pathway: str, references: Sequence[ReferencePoint]) -> list[ReferencePoint]:
    """The ATRS averages a patient on ``pathway`` reads: means only (a median is not an
    average), one a week, their own cohort's before both pathways' (after a repair, week 52
    has Nilsson-Helander's mean 88 and Carmont's median 94: the chart showed two "averages"
    at week 52)."""
    rank = {cohort: n for n, cohort in enumerate(cohorts_for(pathway))}
    by_week: dict[int | None, ReferencePoint] = {}
    for ref in sorted(
        (
            r
            for r in references
            if r.measure == ReferencePoint.Measure.ATRS
            and r.statistic == ReferencePoint.Statistic.MEAN
            and r.cohort in rank
        ),
        key=lambda r: (rank[r.cohort], r.pk),
    ):
        by_week.setdefault(ref.week, ref)
    return sorted(by_week.values(), key=lambda r: (r.week is not None, r.week or 0))
