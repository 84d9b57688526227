"""The bench's arithmetic and tables: no server, no Locust, no Django (tests/bench cover it).

- ``Row``: one request type's numbers in one phase (Locust's statistics, as the locustfile
  writes them).
- ``PeakHourModel`` and ``daily_active_patients``: the capacity estimate (bench/README.md).
- ``Tally`` and ``tally``: writes lost or stored twice, from what the phones were told and what
  the database holds.
- ``table``: a pipe table, readable in a terminal and pasteable into Markdown.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class Row:
    """One request type over one phase. Latencies in ms (Locust's, rounded as it stores them)."""

    name: str
    requests: int
    failures: int
    seconds: float
    p50: float
    p95: float
    p99: float

    @property
    def throughput(self) -> float:
        """Answered without error, per second."""
        return (self.requests - self.failures) / self.seconds if self.seconds else 0.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Row:
        return cls(
            name=str(data["name"]),
            requests=int(data["requests"]),
            failures=int(data["failures"]),
            seconds=float(data["seconds"]),
            p50=float(data["p50"]),
            p95=float(data["p95"]),
            p99=float(data["p99"]),
        )


def merged(name: str, rows: Sequence[Row]) -> Row:
    """Several windows of one request type as one: counts and seconds add up; percentiles are
    the request-weighted mean of the windows' (Locust's histograms are not kept)."""
    requests = sum(r.requests for r in rows)

    def mean(field: str) -> float:
        return sum(getattr(r, field) * r.requests for r in rows) / requests if requests else 0.0

    return Row(
        name=name,
        requests=requests,
        failures=sum(r.failures for r in rows),
        seconds=sum(r.seconds for r in rows),
        p50=mean("p50"),
        p95=mean("p95"),
        p99=mean("p99"),
    )


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


# --- Capacity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeakHourModel:
    """How a day's use of the app is spread; bench/README.md says why these numbers.

    visits_per_day     a daily active patient opens the app this often (exercises are
                       prescribed 1 to 3 times a day)
    peak_hour_share    the share of a day's requests that falls in its busiest hour
    headroom           the share of the measured capacity a machine may use at that peak
    """

    visits_per_day: float = 2.0
    peak_hour_share: float = 0.15
    headroom: float = 0.5


def daily_active_patients(
    mix_throughput: float, requests_per_visit: float, model: PeakHourModel
) -> int:
    """Daily active patients one machine serves: the peak hour's requests, at the model's share
    of a day's, fit in the measured throughput times the headroom.

    ``requests_per_visit`` counts every request of the mix (clinicians' too) per patient visit,
    so a patient's share of the clinicians' work comes with them.
    """
    if mix_throughput <= 0 or requests_per_visit <= 0:
        return 0
    per_patient_day = requests_per_visit * model.visits_per_day
    peak_hour_requests = mix_throughput * model.headroom * SECONDS_PER_HOUR
    return int(peak_hour_requests / (model.peak_hour_share * per_patient_day))


# --- Writes lost or stored twice ------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """One kind of write: what the server acknowledged and what the database holds.

    ``lost``: acknowledged, no row. ``twice``: rows beyond the first for one write (counted
    over every write sent, acknowledged or not). ``unacknowledged_stored``: sent, stored,
    but the phone never heard so (the run stopped, or an error answer after the write).
    """

    kind: str
    sent: int
    acknowledged: int
    lost: int
    twice: int
    unacknowledged_stored: int

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.twice == 0


def tally(
    kind: str, sent: Collection[str], acknowledged: Collection[str], stored: Mapping[str, int]
) -> Tally:
    """``stored``: rows in the database for each key sent (keys with no row may be absent)."""
    acked = set(acknowledged)
    return Tally(
        kind=kind,
        sent=len(set(sent)),
        acknowledged=len(acked),
        lost=sum(1 for key in acked if stored.get(key, 0) == 0),
        twice=sum(count - 1 for count in stored.values() if count > 1),
        unacknowledged_stored=sum(
            1 for key, count in stored.items() if count > 0 and key not in acked
        ),
    )


def describe_tallies(tallies: Iterable[Tally]) -> str:
    return "; ".join(
        f"{t.kind} {t.acknowledged:,} acknowledged: {t.lost} lost, {t.twice} stored twice"
        + (
            f" ({t.unacknowledged_stored} stored without an answer)"
            if t.unacknowledged_stored
            else ""
        )
        for t in tallies
    )


# --- Tables ---------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown pipe table with aligned columns: the first left-aligned, the others right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def mix_table(rows: Sequence[Row], total: Row, baseline: Row | None) -> str:
    """Each request type of the mix, then the whole mix and the baseline phase."""
    header = ["request", "requests", "req/s", "p50", "p95", "p99", "errors"]

    def cells(row: Row) -> list[str]:
        return [
            row.name,
            f"{row.requests:,}",
            f"{row.throughput:,.1f}",
            ms(row.p50),
            ms(row.p95),
            ms(row.p99),
            f"{row.failures:,}",
        ]

    body = [cells(r) for r in sorted(rows, key=lambda r: r.name)]
    body.append(cells(total))
    if baseline is not None:
        body.append(cells(baseline))
    return table(header, body)


@dataclass(frozen=True)
class PageCost:
    """One page in-process: its median, the trivial view's median measured beside it, its
    query count and status."""

    name: str
    role: str
    method: str
    path: str
    status: int
    median_ms: float
    baseline_ms: float
    queries: int

    @property
    def multiple(self) -> float:
        return self.median_ms / self.baseline_ms if self.baseline_ms else 0.0


def pages_table(costs: Sequence[PageCost]) -> str:
    """Dearest first."""
    header = ["page", "as", "status", "median ms", "× trivial", "queries"]
    rows = [
        [
            f"{c.method} {c.name}" if c.method != "GET" else c.name,
            c.role,
            str(c.status),
            f"{c.median_ms:.2f}",
            f"{c.multiple:.1f}",
            str(c.queries),
        ]
        for c in sorted(costs, key=lambda c: c.multiple, reverse=True)
    ]
    return table(header, rows)
