"""The patient's charts (adherence, pain, ATRS, heel-rise symmetry, calf girth), drawn with
``rehab.svg``: inline SVG, no JavaScript, printable, accessible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.models import Patient
from rehab.models.logbook import AtrsResponse, Measurement
from rehab.selectors.adherence import percent_of
from rehab.selectors.progress import PainPoint
from rehab.svg import (
    BLUE,
    GREEN,
    ORANGE,
    Chart,
    Series,
    _empty_svg,
    _legend,
    _plot_box,
    _r,
    _scale,
    _svg,
    _y_axis,
    line_chart,
)


def adherence_chart(
    weeks: Sequence[tuple[int, int, int]], *, title: str = "", in_progress: bool = False
) -> Chart:
    """Bars per week: sessions prescribed (light) and done (dark). ``weeks`` is
    ``Adherence.by_week``: (week number, prescribed, done). ``in_progress``: the last week
    has today in it, whose day is not over (judged adherence counts what was done today, not
    what is still to do), so it is named as counted "so far"."""
    title = title or _("Exercise sessions per week: prescribed and done")
    head = (_("Week"), _("Prescribed"), _("Done"), _("Adherence"))
    weeks = [w for w in weeks if w[1] or w[2]]
    if not weeks:
        message = _("No sessions prescribed yet.")
        return Chart(title=title, summary=message, svg=_empty_svg(title, message), head=head)
    x0, top, x1, bottom = _plot_box()
    y_max = max(max(e, d) for _w, e, d in weeks)
    step = _nice_step(y_max)
    y_max = step * -(-y_max // step)
    slot = (x1 - x0) / len(weeks)
    bar = min(slot * 0.36, 28)
    body: list[str] = [_y_axis(0, y_max, range(0, y_max + 1, step))]
    rows: list[tuple[str, ...]] = []
    # Translated once, not per bar.
    prescribed_word, done_word = _("prescribed"), _("done")
    week_tip, week_label = _("Week %(week)s: %(n)s %(what)s"), _("wk %(week)s")
    last = len(weeks) - 1
    for i, (week, expected, done) in enumerate(weeks):
        so_far = in_progress and i == last
        if so_far:
            week_tip = _("Week %(week)s so far: %(n)s %(what)s")
        cx = x0 + slot * (i + 0.5)
        percent = f"{percent_of(done, expected)} %" if expected else "–"
        for offset, value, color, label in (
            (-bar, expected, "#9ecae1", prescribed_word),
            (0.0, done, BLUE, done_word),
        ):
            y = _scale(value, 0, y_max, bottom, top)
            tip = week_tip % {"week": week, "n": value, "what": label}
            body.append(
                f'<rect x="{_r(cx + offset)}" y="{_r(y)}" width="{_r(bar)}" '
                f'height="{_r(bottom - y)}" fill="{color}" stroke="{BLUE}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        body.append(
            f'<text x="{_r(cx)}" y="{_r(bottom + 16)}" text-anchor="middle" font-size="11" '
            f'fill="#495057">{escape(week_label % {"week": week})}</text>'
        )
        shown = _("%(week)s (so far)") % {"week": week} if so_far else str(week)
        rows.append((shown, str(expected), str(done), percent))
    body.append(
        _legend([(_("Prescribed"), "#9ecae1", "", "square"), (_("Done"), BLUE, "", "square")])
    )
    total_expected = sum(w[1] for w in weeks)
    total_done = sum(w[2] for w in weeks)
    summary = (
        ngettext(
            "%(weeks)s week: %(done)s of %(expected)s prescribed sessions done; "
            "this week so far, %(last_done)s of %(last_expected)s.",
            "%(weeks)s weeks: %(done)s of %(expected)s prescribed sessions done; "
            "this week so far, %(last_done)s of %(last_expected)s.",
            len(weeks),
        )
        if in_progress
        else ngettext(
            "%(weeks)s week: %(done)s of %(expected)s prescribed sessions done; "
            "latest week %(last_done)s of %(last_expected)s.",
            "%(weeks)s weeks: %(done)s of %(expected)s prescribed sessions done; "
            "latest week %(last_done)s of %(last_expected)s.",
            len(weeks),
        )
    ) % {
        "weeks": len(weeks),
        "done": total_done,
        "expected": total_expected,
        "last_done": weeks[-1][2],
        "last_expected": weeks[-1][1],
    }
    svg = _svg(title, summary, mark_safe("".join(body)))  # noqa: S308  (parts escaped above)
    return Chart(title=title, summary=summary, svg=svg, head=head, rows=rows)


def _nice_step(high: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if high / step <= 5:
            return step
    return 1000


def pain_chart(points: Sequence[PainPoint], *, start: dt.date, end: dt.date) -> Chart:
    return line_chart(
        title=_("Pain (0–10): during exercise and at rest"),
        series=[
            Series(
                _("During exercise (highest of the day)"),
                ORANGE,
                [(p.day, p.pain) for p in points if p.source == "log"],
            ),
            Series(
                _("At rest (check-in)"),
                BLUE,
                [(p.day, p.pain) for p in points if p.source == "checkin"],
                dash="5 3",
                marker="square",
            ),
        ],
        y_min=0,
        y_max=10,
        y_ticks=range(0, 11, 2),
        start=start,
        end=end,
        empty_message=_("No pain scores recorded yet."),
    )


def atrs_chart(responses: Sequence[AtrsResponse], *, for_patient: bool = False) -> Chart:
    """The ATRS totals over time: the clinician's score by its name, or for the patient the
    same numbers as "the Achilles questionnaire" (no abbreviation to decode)."""
    points = [(r.date, r.total) for r in responses]
    if for_patient:
        title = _("Your Achilles questionnaire score (0–100, higher is better)")
        series = Series(_("Your score"), GREEN, points)
        empty = _("No questionnaire answers yet.")
    else:
        title = _("ATRS score (0–100, higher is better)")
        series = Series(_("ATRS total"), GREEN, points)
        empty = _("No ATRS answers yet.")
    return line_chart(
        title=title,
        series=[series],
        y_min=0,
        y_max=100,
        y_ticks=range(0, 101, 20),
        empty_message=empty,
    )


def lsi_chart(measurements: Sequence[Measurement], *, for_patient: bool = False) -> Chart:
    """Heel-rise symmetry over time: the clinician's limb symmetry index (LSI), or for the
    patient the same numbers in plain words."""
    if for_patient:
        title = _("Heel raises: your injured leg compared with the other (%)")
        name = _("Injured leg, as % of the other")
    else:
        title = _("Heel-rise limb symmetry (injured ÷ other side, %)")
        name = _("Heel-rise LSI")
    return line_chart(
        title=title,
        series=[
            Series(
                name,
                BLUE,
                [(m.date, m.heel_rise_lsi) for m in measurements if m.heel_rise_lsi is not None],
                unit=" %",
            )
        ],
        y_min=0,
        y_max=100,
        y_ticks=range(0, 101, 25),
        reference=(90.0, _("90 %")),
        empty_message=_("No heel-rise tests recorded yet."),
    )


def calf_chart(
    measurements: Sequence[Measurement], *, injured_side: str = "", for_patient: bool = False
) -> Chart:
    """The calf's girth on each side: the clinician's "calf circumference", or for the patient
    the home form's words ("around your lower leg")."""
    values = [
        float(v)
        for m in measurements
        for v in (m.calf_cm_injured, m.calf_cm_uninjured)
        if v is not None
    ]
    low = max(0, int(min(values)) // 5 * 5 - 5) if values else 0
    high = (int(max(values)) // 5 + 1) * 5 if values else 50
    side = Patient.Side(injured_side).label if injured_side else ""
    injured_label = _("Injured side (%(side)s)") % {"side": side} if side else _("Injured side")
    return line_chart(
        title=_("Around your lower legs (cm), each side")
        if for_patient
        else _("Calf circumference (cm), each side"),
        series=[
            Series(
                injured_label,
                ORANGE,
                [(m.date, m.calf_cm_injured) for m in measurements if m.calf_cm_injured],
                unit=" cm",
            ),
            Series(
                _("Other side"),
                BLUE,
                [(m.date, m.calf_cm_uninjured) for m in measurements if m.calf_cm_uninjured],
                dash="5 3",
                marker="square",
                unit=" cm",
            ),
        ],
        y_min=low,
        y_max=high,
        y_ticks=range(low, high + 1, 5),
        empty_message=_("No calf measurements recorded yet."),
    )


def patient_charts(
    *,
    patient: Patient,
    adherence_weeks: Sequence[tuple[int, int, int]],
    pain: Sequence[PainPoint],
    pain_start: dt.date,
    pain_end: dt.date,
    atrs: Sequence[AtrsResponse],
    measurements: Sequence[Measurement],
) -> dict[str, Chart]:
    """The five charts of the patient's progress page, in the patient's words."""
    return {
        # Its weeks end today (judged adherence: today in progress).
        "adherence": adherence_chart(adherence_weeks, in_progress=True),
        "pain": pain_chart(pain, start=pain_start, end=pain_end),
        "atrs": atrs_chart(atrs, for_patient=True),
        "lsi": lsi_chart(measurements, for_patient=True),
        "calf": calf_chart(measurements, injured_side=patient.injured_side, for_patient=True),
    }
