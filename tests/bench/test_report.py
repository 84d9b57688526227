"""bench/report.py: the capacity model, the write tally and the tables."""

from __future__ import annotations

from bench import report


def _row(name: str, requests: int, failures: int = 0, p95: float = 20.0) -> report.Row:
    return report.Row(
        name=name, requests=requests, failures=failures, seconds=10.0, p50=5.0, p95=p95, p99=40.0
    )


def test_throughput_counts_answers_without_error() -> None:
    assert _row("Today", 1000, failures=100).throughput == 90.0
    assert report.Row("x", 5, 0, 0.0, 1, 1, 1).throughput == 0.0


def test_a_row_reads_the_locustfile_s_dict() -> None:
    row = report.Row.from_dict(
        {"name": "a", "requests": 3, "failures": 1, "seconds": 2, "p50": 1, "p95": 2, "p99": 3}
    )
    assert row == report.Row("a", 3, 1, 2.0, 1.0, 2.0, 3.0)


def test_daily_active_patients_follow_the_peak_hour_model() -> None:
    model = report.PeakHourModel(visits_per_day=2, peak_hour_share=0.15, headroom=0.5)
    # 100 req/s × 0.5 × 3,600 s = 180,000 requests in the peak hour; a patient's day is
    # 15 requests × 2 visits = 30, of which 15 % (4.5) fall in the peak hour: 40,000 patients.
    assert report.daily_active_patients(100.0, 15.0, model) == 40_000
    # Twice the requests per visit: half the patients. Twice the throughput: twice.
    assert report.daily_active_patients(100.0, 30.0, model) == 20_000
    assert report.daily_active_patients(200.0, 15.0, model) == 80_000
    # A busier peak hour or less headroom: fewer.
    assert report.daily_active_patients(100.0, 15.0, report.PeakHourModel(peak_hour_share=0.3)) == (
        20_000
    )
    assert report.daily_active_patients(0.0, 15.0, model) == 0
    assert report.daily_active_patients(100.0, 0.0, model) == 0


def test_the_tally_counts_lost_and_twice_stored_writes() -> None:
    clean = report.tally("tick", ["a", "b"], ["a", "b"], {"a": 1, "b": 1})
    assert (clean.lost, clean.twice, clean.ok) == (0, 0, True)

    lost = report.tally("tick", ["a", "b"], ["a", "b"], {"a": 1})
    assert (lost.lost, lost.twice, lost.ok) == (1, 0, False)

    twice = report.tally("tick", ["a", "b"], ["a", "b"], {"a": 3, "b": 1})
    assert (twice.lost, twice.twice, twice.ok) == (0, 2, False)

    # Sent, never acknowledged: not lost if absent; stored twice still counts.
    unanswered = report.tally("tick", ["a", "b", "c"], ["a"], {"a": 1, "b": 1, "c": 2})
    assert unanswered.lost == 0
    assert unanswered.twice == 1
    assert unanswered.unacknowledged_stored == 2
    assert (unanswered.sent, unanswered.acknowledged) == (3, 1)

    text = report.describe_tallies([clean, unanswered])
    assert "tick 2 acknowledged: 0 lost, 0 stored twice" in text
    assert "(2 stored without an answer)" in text


def test_a_table_aligns_its_columns_for_the_terminal_and_markdown() -> None:
    text = report.table(["name", "n"], [["Today", "1,000"], ["x", "5"]])
    lines = text.splitlines()
    assert lines[0] == "| name  |     n |"
    assert lines[1] == "|-------|------:|"
    assert lines[2] == "| Today | 1,000 |"
    assert lines[3] == "| x     |     5 |"
    assert len({len(line) for line in lines}) == 1


def test_the_mix_table_lists_each_request_type_then_the_mix_and_the_baseline() -> None:
    text = report.mix_table(
        [_row("patient: tick", 300), _row("patient: Today", 200, failures=2, p95=31.4)],
        _row("whole mix", 500, failures=2),
        _row("baseline", 4000),
    )
    lines = text.splitlines()
    assert [line.split("|")[1].strip() for line in lines[2:]] == [
        "patient: Today",  # sorted by name
        "patient: tick",
        "whole mix",
        "baseline",
    ]
    cells = [cell.strip() for cell in lines[2].split("|")[1:-1]]
    assert cells == ["patient: Today", "200", "19.8", "5.0", "31", "40", "2"]
    # 198 answered in 10 s; p50 to a tenth of a ms below 10 ms, whole ms above.
    assert lines[5].split("|")[3].strip() == "400.0"


def test_the_pages_table_is_sorted_dearest_first_with_multiples_and_queries() -> None:
    costs = [
        report.PageCost("rehab:today", "patient", "GET", "rehab:today", 200, 4.0, 1.0, 12),
        report.PageCost("tick", "patient", "POST", "rehab:log_create", 201, 3.0, 1.5, 6),
        report.PageCost("rehab:dashboard", "clinician", "GET", "x", 200, 45.0, 1.0, 30),
    ]
    lines = report.pages_table(costs).splitlines()
    assert "rehab:dashboard" in lines[2]
    assert "45.0" in lines[2]
    assert "rehab:today" in lines[3]
    assert "| POST tick " in lines[4]
    assert "2.0" in lines[4]  # 3.0 ms ÷ 1.5 ms
    assert lines[4].rstrip(" |").endswith("6")


def test_windows_merge_into_one_row() -> None:
    first = report.Row("baseline", 300, 0, 10.0, 2.0, 4.0, 6.0)
    second = report.Row("baseline", 100, 4, 10.0, 6.0, 8.0, 10.0)
    both = report.merged("both", [first, second])
    assert (both.requests, both.failures, both.seconds) == (400, 4, 20.0)
    assert both.throughput == 19.8
    assert (both.p50, both.p95, both.p99) == (3.0, 5.0, 7.0)  # weighted by requests
    assert report.merged("none", []).throughput == 0.0
