"""bench/pages.py: its list of pages covers the whole URLconf, and every page on it answers."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from bench import data, pages
from rehab.models import ExerciseLog


def test_every_url_name_is_a_listed_page_or_excluded_with_a_reason() -> None:
    missing, stale = pages.unlisted(pages.url_names(get_resolver().url_patterns))
    assert not missing, (
        "URL names not in bench/pages.py: add each to PAGES (a page someone opens signed in) "
        f"or to EXCLUDED with the reason: {sorted(missing)}"
    )
    assert not stale, f"bench/pages.py lists URL names the project no longer has: {sorted(stale)}"
    assert all(reason.strip() for reason in pages.EXCLUDED.values())
    assert not {p.name for p in pages.PAGES if p.method == "GET"} & set(pages.EXCLUDED)


def test_unlisted_finds_new_and_stale_names() -> None:
    names = {p.name for p in pages.PAGES} | set(pages.EXCLUDED) | {"admin:index"}
    assert pages.unlisted(names) == (set(), set())
    assert pages.unlisted(names | {"rehab:new_page"}) == ({"rehab:new_page"}, set())
    assert pages.unlisted(names - {"rehab:today"}) == (set(), {"rehab:today"})


@pytest.mark.usefixtures("scale_data")
def test_every_listed_page_answers_its_user(settings) -> None:
    settings.ROOT_URLCONF = "bench.urls"
    logs = ExerciseLog.objects.filter(patient__user__email=data.BENCH_PATIENT)
    before = sorted(logs.values_list("pk", flat=True))
    costs = pages.run(repeat=1, warmup=0)
    # The ticks it timed are taken back: the next run's Today is the seeded one, not one with
    # every earlier run's ticks on it.
    assert sorted(logs.values_list("pk", flat=True)) == before
    assert len(costs) == len(pages.PAGES)
    failing = [(c.name, c.role, c.status) for c in costs if c.status >= 400]
    assert not failing
    assert all(c.median_ms > 0 and c.baseline_ms > 0 for c in costs)
    by_name = {c.name: c for c in costs}
    assert by_name["rehab:today"].queries > 0
    assert by_name["tick (Today's script and the API)"].status == 201
    assert by_name["tick (form, without JavaScript)"].status == 302  # back to Today
