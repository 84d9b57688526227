"""Server-drawn SVG charts: accessible, no style attributes, values escaped and tabulated."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from rehab import charts, svg
from rehab.models import AtrsResponse, Measurement
from rehab.selectors import PainPoint

D = dt.date(2025, 3, 1)


def _atrs(day: dt.date, total: int) -> AtrsResponse:
    return AtrsResponse(date=day, total=total)


def _html(chart: svg.Chart) -> str:
    return chart.__html__()


def _assert_accessible(html: str) -> None:
    assert 'role="img"' in html
    assert "<title id=" in html
    assert "<desc id=" in html
    assert 'viewBox="0 0 360 220"' in html
    assert 'width="100%"' in html
    assert "style=" not in html  # CSP: presentation attributes only
    assert "<script" not in html
    labelled = re.search(r'aria-labelledby="([^"]+)"', html)
    assert labelled
    for ident in labelled.group(1).split():
        assert f'id="{ident}"' in html


def test_adherence_chart_draws_two_bars_a_week_and_a_table() -> None:
    chart = charts.adherence_chart([(3, 14, 7), (4, 14, 14), (5, 0, 0)])
    html = _html(chart)
    _assert_accessible(html)
    assert html.count("<rect") >= 4
    assert "wk 3" in html
    assert "wk 4" in html
    assert "wk 5" not in html  # a week with nothing prescribed or done is left out
    assert chart.rows == [("3", "14", "7", "50 %"), ("4", "14", "14", "100 %")]
    assert "21 of 28 prescribed sessions done" in chart.summary
    assert '<div class="visually-hidden">' in html
    assert "<table>" in html
    assert '<th scope="row">3</th>' in html


def test_adherence_chart_says_one_week_not_one_weeks() -> None:
    """A patient's first week: the summary read out under the chart on their progress page
    said "1 weeks"."""
    assert charts.adherence_chart([(0, 7, 3)]).summary.startswith("1 week: 3 of 7")
    assert charts.adherence_chart([(0, 7, 3), (1, 7, 7)]).summary.startswith("2 weeks: 10 of 14")


def test_the_week_with_today_in_it_is_said_to_be_so_far() -> None:
    """Today counts what was done, never what is not done yet (judged adherence): after one
    tick on a week's first day it read "latest week 1 of 1" (100 %) with seven sessions still
    to do today. The week in progress says it is counted so far."""
    chart = charts.adherence_chart([(4, 14, 12), (5, 1, 1)], in_progress=True)
    html = _html(chart)
    _assert_accessible(html)
    assert chart.rows[-1][0] == "5 (so far)"
    assert chart.rows[0][0] == "4"
    assert chart.summary.endswith("this week so far, 1 of 1.")
    assert "Week 5 so far: 1 done" in html
    assert "latest week" not in chart.summary
    # A chart of weeks that are over says "latest week", as before.
    assert charts.adherence_chart([(4, 14, 12)]).summary.endswith("latest week 12 of 14.")


def test_an_empty_chart_says_so_without_a_table() -> None:
    chart = charts.adherence_chart([])
    html = _html(chart)
    _assert_accessible(html)
    assert chart.empty
    assert "No sessions prescribed yet." in html
    assert "<table" not in html


def test_pain_chart_has_a_line_per_source_on_a_0_to_10_scale() -> None:
    points = [
        PainPoint(D, 3, "log"),
        PainPoint(D + dt.timedelta(days=2), 5, "log"),
        PainPoint(D, 2, "checkin"),
    ]
    chart = charts.pain_chart(points, start=D, end=D + dt.timedelta(days=6))
    html = _html(chart)
    _assert_accessible(html)
    assert html.count("<polyline") == 1  # one check-in point: a marker, no line
    assert ">10</text>" in html
    assert ">0</text>" in html
    assert chart.rows == [("1 Mar", "3", "2"), ("3 Mar", "5", "–")]
    assert "1 Mar: 3" in html  # each marker has a tooltip title
    assert 'stroke-dasharray="5 3"' in _html(
        charts.pain_chart(
            [PainPoint(D, 2, "checkin"), PainPoint(D + dt.timedelta(days=1), 4, "checkin")],
            start=D,
            end=D + dt.timedelta(days=1),
        )
    )


def test_atrs_chart_scales_0_to_100() -> None:
    chart = charts.atrs_chart([_atrs(D, 38), _atrs(D + dt.timedelta(weeks=4), 55)])
    html = _html(chart)
    _assert_accessible(html)
    assert ">100</text>" in html
    assert "latest 55, lowest 38, highest 55" in chart.summary


def test_lsi_and_calf_charts_from_measurements() -> None:
    measurements = [
        Measurement(
            date=D,
            heel_rise_reps_injured=5,
            heel_rise_reps_uninjured=20,
            calf_cm_injured=Decimal("34.5"),
            calf_cm_uninjured=Decimal("37.0"),
        ),
        Measurement(
            date=D + dt.timedelta(weeks=6), heel_rise_reps_injured=15, heel_rise_reps_uninjured=20
        ),
    ]
    lsi = charts.lsi_chart(measurements)
    assert lsi.rows == [("1 Mar", "25 %"), ("12 Apr", "75 %")]
    assert "90 %" in _html(lsi)  # the return-to-sport reference line
    calf = charts.calf_chart(measurements, injured_side="left")
    assert calf.head == ("Date", "Injured side (Left)", "Other side")
    assert calf.rows == [("1 Mar", "34.5 cm", "37 cm")]
    _assert_accessible(_html(calf))


def test_text_is_escaped() -> None:
    chart = svg.line_chart(
        title="<b>Pain</b>",
        series=[svg.Series("<script>x</script>", svg.BLUE, [(D, 1.0)])],
        y_min=0,
        y_max=10,
        y_ticks=[0, 10],
    )
    html = _html(chart)
    assert "<b>" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("count", [1, 2, 30])
def test_a_gap_splits_the_line_and_any_length_renders(count: int) -> None:
    points: list[tuple[dt.date, float | None]] = [
        (D + dt.timedelta(days=n), float(n % 10)) for n in range(count)
    ]
    points.append((D + dt.timedelta(days=count), None))
    points.append((D + dt.timedelta(days=count + 1), 4.0))
    points.append((D + dt.timedelta(days=count + 2), 5.0))
    chart = svg.line_chart(
        title="T",
        series=[svg.Series("S", svg.BLUE, points)],
        y_min=0,
        y_max=10,
        y_ticks=[0, 5, 10],
    )
    html = _html(chart)
    _assert_accessible(html)
    assert html.count("<polyline") == (2 if count > 1 else 1)
    assert len(chart.rows) == count + 2


def test_adherence_chart_rounds_a_half_percent_up() -> None:
    """5 of 8 sessions is 62.5 %: people read 63 %, as the progress page's percentage does,
    not Python's 62 (half to even)."""
    chart = charts.adherence_chart([(3, 8, 5), (4, 200, 1)])
    assert [row[3] for row in chart.rows] == ["63 %", "1 %"]


def test_the_summary_of_a_single_value_says_value_not_values() -> None:
    """Read out under the chart: "1 value", not "1 values"."""

    def summary(values: list[float]) -> str:
        points = [(D + dt.timedelta(days=n), v) for n, v in enumerate(values)]
        return svg.line_chart(
            title="Pain",
            series=[svg.Series("At rest", svg.BLUE, points)],
            y_min=0,
            y_max=10,
            y_ticks=[0, 10],
        ).summary

    assert summary([2.0]).startswith("At rest: 1 value, latest 2")
    assert summary([2.0, 3.0]).startswith("At rest: 2 values, latest 3")
