"""Charts drawn on the server as inline SVG: no JavaScript, printable, accessible. The patient's
charts themselves are in ``rehab.charts``.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` summarising the values,
plus a visually hidden data table with every value (``rehab/charts/figure.html``). Only SVG
presentation attributes (``fill``, ``stroke``, …) are used, never ``style``: the Content Security
Policy's ``style-src`` does not apply to presentation attributes. The ``viewBox`` is phone sized
and the SVG scales to the width of its container.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

WIDTH = 360
HEIGHT = 220
LEFT = 40
RIGHT = 12
TOP = 42  # room for two rows of legend
BOTTOM = 34

# Okabe–Ito colours (safe for colour-blind readers); series also differ by dash and marker.
BLUE = "#0072B2"
ORANGE = "#D55E00"
GREEN = "#009E73"
GREY = "#6c757d"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    """A rendered chart: the SVG, a one-sentence summary and the values as a table."""

    title: str
    summary: str
    svg: SafeString
    head: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def table_rows(self) -> SafeString:
        """The rows of the data table: the first cell of each a row header. Built here, not in
        the template: a page has five charts of up to ~60 rows each."""
        # As ``{{ cell }}`` would: localised (numbers, dates), then escaped.
        return mark_safe(  # noqa: S308  (every cell is escaped)
            "".join(
                f'<tr><th scope="row">{conditional_escape(localize(row[0]))}</th>'
                + "".join(f"<td>{conditional_escape(localize(cell))}</td>" for cell in row[1:])
                + "</tr>"
                for row in self.rows
            )
        )

    def __html__(self) -> str:
        return render_to_string("rehab/charts/figure.html", {"chart": self})

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    points: Sequence[tuple[dt.date, float | Decimal | None]]
    dash: str = ""
    marker: str = "circle"  # or "square"
    unit: str = ""


def _fmt(value: float | Decimal | None, unit: str = "") -> str:
    if value is None:
        return "–"
    number = f"{float(value):g}"
    return f"{number}{unit}"


def _day(day: dt.date) -> str:
    return _day_in(day, get_language())


@functools.lru_cache(maxsize=4096)
def _day_in(day: dt.date, language: str | None) -> str:
    """``date_format(day, "j M")`` in ``language`` (the active one): a chart labels the same
    days many times, and formatting a date in the locale's format is slow."""
    return date_format(day, "j M")


def _plot_box() -> tuple[float, float, float, float]:
    return LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM


def _svg(title: str, summary: str, body: SafeString | str) -> SafeString:
    n = next(_ids)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="rehab-chart" role="img" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'aria-labelledby="chart-{n}-title chart-{n}-desc">'
        '<title id="chart-{n}-title">{title}</title><desc id="chart-{n}-desc">{summary}</desc>'
        "{body}</svg>",
        w=WIDTH,
        h=HEIGHT,
        n=n,
        title=title,
        summary=summary,
        body=body,
    )


def _empty_svg(title: str, message: str) -> SafeString:
    body = format_html(
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#f8f9fa" stroke="#dee2e6"/>'
        '<text x="{cx}" y="{cy}" text-anchor="middle" font-size="14" fill="{grey}">{msg}</text>',
        w=WIDTH,
        h=HEIGHT,
        cx=WIDTH / 2,
        cy=HEIGHT / 2,
        grey=GREY,
        msg=message,
    )
    return _svg(title, message, body)


def _y_axis(y_min: float, y_max: float, ticks: Iterable[float], unit: str = "") -> SafeString:
    x0, top, x1, bottom = _plot_box()
    parts = []
    for tick in ticks:
        y = _scale(tick, y_min, y_max, bottom, top)
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{_r(y)}" y2="{_r(y)}" stroke="#dee2e6" '
            'stroke-width="1"/>'
            f'<text x="{x0 - 4}" y="{_r(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="#495057">{escape(_fmt(tick, unit))}</text>'
        )
    parts.append(
        format_html(
            '<line x1="{x0}" x2="{x0}" y1="{top}" y2="{bottom}" stroke="#495057"/>'
            '<line x1="{x0}" x2="{x1}" y1="{bottom}" y2="{bottom}" stroke="#495057"/>',
            x0=x0,
            x1=x1,
            top=top,
            bottom=bottom,
        )
    )
    return mark_safe("".join(parts))  # noqa: S308  (numbers, and text escaped)


def _legend(series: Sequence[tuple[str, str, str, str]]) -> SafeString:
    """(label, colour, dash, marker) for each series, above the plot; a series that does not
    fit on the first row goes on the second."""
    parts = []
    x, y = float(LEFT), 12.0
    for label, color, dash, marker in series:
        width = 30 + 6.2 * len(label)
        if x > LEFT and x + width > WIDTH:
            x, y = float(LEFT), y + 15
        parts.append(
            format_html(
                '<line x1="{x}" x2="{x2}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="3"{dash}/>'
                "{marker}"
                '<text x="{tx}" y="{ty}" font-size="11" fill="#212529">{label}</text>',
                x=_r(x),
                x2=_r(x + 18),
                y=_r(y),
                c=color,
                dash=format_html(' stroke-dasharray="{}"', dash) if dash else "",
                marker=_marker(marker, x + 9, y, color, label),
                tx=_r(x + 22),
                ty=_r(y + 4),
                label=label,
            )
        )
        x += width
    return mark_safe("".join(parts))  # noqa: S308  (each part is escaped by format_html)


def _marker(kind: str, x: float, y: float, color: str, title: str) -> SafeString:
    # f-strings, not format_html: a chart has a marker per value. Numbers need no escaping;
    # a series' colour is escaped once for all its markers (``line_chart``).
    if kind == "square":
        return mark_safe(  # noqa: S308  (colour and title escaped)
            f'<rect x="{_r(x - 3.5)}" y="{_r(y - 3.5)}" width="7" height="7" '
            f'fill="{conditional_escape(color)}"><title>{escape(title)}</title></rect>'
        )
    return mark_safe(  # noqa: S308  (colour and title escaped)
        f'<circle cx="{_r(x)}" cy="{_r(y)}" r="3.5" fill="{conditional_escape(color)}">'
        f"<title>{escape(title)}</title></circle>"
    )


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (value - low) * (out_high - out_low) / (high - low)


def _r(value: float) -> str:
    return f"{value:.1f}"


def _x_labels(start: dt.date, end: dt.date) -> SafeString:
    x0, _top, x1, bottom = _plot_box()
    span = (end - start).days
    count = 1 if span == 0 else min(4, span + 1)
    days = (
        [start]
        if count == 1
        else [start + dt.timedelta(days=round(i * span / (count - 1))) for i in range(count)]
    )
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" font-size="11" fill="#495057">{}</text>',
        (
            (
                _r(_scale((d - start).days, 0, span, x0, x1)),
                _r(bottom + 16),
                "start" if i == 0 and count > 1 else "end" if i == count - 1 else "middle",
                _day(d),
            )
            for i, d in enumerate(days)
        ),
    )


def line_chart(
    *,
    title: str,
    series: Sequence[Series],
    y_min: float,
    y_max: float,
    y_ticks: Iterable[float],
    start: dt.date | None = None,
    end: dt.date | None = None,
    empty_message: str = "",
    reference: tuple[float, str] | None = None,
) -> Chart:
    """A line chart over calendar days; ``None`` values leave a gap in the line."""
    days = sorted({d for s in series for d, v in s.points if v is not None})
    head = (_("Date"), *(s.label for s in series))
    if not days:
        message = empty_message or _("Nothing recorded yet.")
        return Chart(title=title, summary=message, svg=_empty_svg(title, message), head=head)
    start = start or days[0]
    end = end or days[-1]
    span = max((end - start).days, 0)
    x0, top, x1, bottom = _plot_box()
    y_max = max([y_max, *(float(v) for s in series for _d, v in s.points if v is not None)])

    def xy(day: dt.date, value: float) -> tuple[float, float]:
        return (
            _scale((day - start).days, 0, span, x0, x1),
            _scale(float(value), y_min, y_max, bottom, top),
        )

    body: list[str] = [_y_axis(y_min, y_max, y_ticks), _x_labels(start, end)]
    language = get_language()  # the days' labels (``_day``), looked up once for every value
    if reference is not None:
        ref_value, ref_label = reference
        _rx, ry = xy(start, ref_value)
        body.append(
            format_html(
                '<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" stroke="{g}" stroke-dasharray="2 3"/>'
                '<text x="{x1}" y="{ty}" text-anchor="end" font-size="10" fill="{g}">{t}</text>',
                x0=x0,
                x1=x1,
                y=_r(ry),
                ty=_r(ry - 3),
                g=GREY,
                t=ref_label,
            )
        )
    for s in series:
        segment: list[str] = []
        segments: list[list[str]] = [segment]
        markers: list[str] = []
        color = conditional_escape(s.color)  # once for all the series' markers
        for day, value in sorted(s.points, key=lambda p: p[0]):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x, y = xy(day, float(value))
            segment.append(f"{_r(x)},{_r(y)}")
            label = f"{_day_in(day, language)}: {_fmt(value, s.unit)}"
            markers.append(_marker(s.marker, x, y, color, label))
        for points in segments:
            if len(points) > 1:
                body.append(
                    format_html(
                        '<polyline points="{p}" fill="none" stroke="{c}" stroke-width="2"{d}/>',
                        p=" ".join(points),
                        c=s.color,
                        d=format_html(' stroke-dasharray="{}"', s.dash) if s.dash else "",
                    )
                )
        body.extend(markers)
    body.append(_legend([(s.label, s.color, s.dash, s.marker) for s in series]))
    values_by_day = [
        {d: v for d, v in s.points if v is not None} for s in series
    ]  # one row per day, a column per series
    rows = [
        (
            _day_in(d, language),
            *(_fmt(v.get(d), s.unit) for v, s in zip(values_by_day, series, strict=True)),
        )
        for d in days
    ]
    summary = "; ".join(
        _summarise(s.label, [v for _d, v in s.points if v is not None], s.unit) for s in series
    )
    svg = _svg(title, summary, mark_safe("".join(body)))  # noqa: S308  (parts escaped above)
    return Chart(title=title, summary=summary, svg=svg, head=head, rows=rows)


def _summarise(label: str, values: Sequence[float | Decimal], unit: str) -> str:
    if not values:
        return _("%(label)s: no values") % {"label": label}
    return ngettext(
        "%(label)s: %(n)s value, latest %(last)s, lowest %(low)s, highest %(high)s",
        "%(label)s: %(n)s values, latest %(last)s, lowest %(low)s, highest %(high)s",
        len(values),
    ) % {
        "label": label,
        "n": len(values),
        "last": _fmt(values[-1], unit),
        "low": _fmt(min(values), unit),
        "high": _fmt(max(values), unit),
    }
