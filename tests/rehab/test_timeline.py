"""The patient timeline (``rehab.selectors.timeline``) on the clinician's patient page."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.models import PhaseChange, Plan, PlanPhase
from rehab.selectors import timeline as timeline_selectors
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _plan(patient: Patient) -> tuple[Plan, PlanPhase, PlanPhase]:
    plan = factories.PlanFactory(patient=patient)
    first = factories.PlanPhaseFactory(plan=plan, order=1, name="Boot phase", end_week=6)
    second = factories.PlanPhaseFactory(
        plan=plan, order=2, name="Strength phase", start_week=6, end_week=12
    )
    plan.current_phase = second
    plan.save()
    return plan, first, second


def _day(patient: Patient, back: int) -> dt.date:
    return patient.local_today() - dt.timedelta(days=back)


def _history(
    patient: Patient, first: PlanPhase, second: PlanPhase, *, days: int, start: int = 0
) -> None:
    """One of everything on each of ``days`` days, counting back from ``start`` days ago."""
    rx = factories.PrescriptionFactory(phase=second, exercise__name="Heel raise")
    for back in range(start, start + days):
        day = _day(patient, back)
        factories.ExerciseLogFactory(prescription=rx, date=day, pain=3, effort=None, note="ok")
        factories.CheckInFactory(patient=patient, date=day, flag_dvt=back == 0, note="calf warm")
        factories.AtrsResponseFactory(patient=patient, date=day)
        factories.MeasurementFactory(patient=patient, date=day)
        factories.MessageFactory(
            patient=patient,
            created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12)), patient.tz),
        )
        PhaseChange.objects.create(
            plan=second.plan, from_phase=first, to_phase=second, effective_on=day
        )


def test_the_timeline_lists_every_kind_by_day_newest_first(
    patient: Patient,
) -> None:
    _unused, first, second = _plan(patient)
    _history(patient, first, second, days=2)
    timeline = timeline_selectors.patient_timeline(patient)
    assert [d.day for d in timeline.days] == [_day(patient, 0), _day(patient, 1)]
    kinds = {entry.kind for entry in timeline.days[0].entries}
    assert kinds == {"logs", "checkin", "atrs", "measurement", "message", "phase_change"}
    for timeline_day in timeline.days:
        times = [entry.at for entry in timeline_day.entries]
        assert times == sorted(times, reverse=True)


def test_the_timeline_is_paginated_by_day(patient: Patient) -> None:
    _unused, first, second = _plan(patient)
    _history(patient, first, second, days=timeline_selectors.DAYS_PER_PAGE + 2)
    first_page = timeline_selectors.patient_timeline(patient, page=1)
    assert len(first_page.days) == timeline_selectors.DAYS_PER_PAGE
    second_page = timeline_selectors.patient_timeline(patient, page="2")
    assert [d.day for d in second_page.days] == [
        _day(patient, timeline_selectors.DAYS_PER_PAGE),
        _day(patient, timeline_selectors.DAYS_PER_PAGE + 1),
    ]
    # Nonsense or out of range: the first or the last page, never an error.
    assert timeline_selectors.patient_timeline(patient, page="x").days == first_page.days
    assert timeline_selectors.patient_timeline(patient, page=99).days == second_page.days


def test_the_timeline_is_empty_without_history(patient: Patient) -> None:
    timeline = timeline_selectors.patient_timeline(patient)
    assert timeline.is_empty
    assert timeline.page is None


def test_the_patient_page_shows_what_the_patient_reported(
    clinician: Clinician, patient: Patient
) -> None:
    _unused, first, second = _plan(patient)
    _history(patient, first, second, days=1)
    html = (
        client_for(clinician.user)
        .get(reverse("rehab:patient_detail", args=[patient.pk]), {"tab": "timeline"})
        .content.decode()
    )
    section = html.split('id="timeline"', 1)[1]
    assert "Heel raise" in section
    assert "pain 3/10" in section
    assert "effort not answered" in section
    assert "Red flag:" in section
    assert "calf warm" in section
    assert "swelling: mild" in section
    assert "50 of 100" in section  # the factory's ATRS
    assert "Is it normal that my ankle is swollen" in section
    assert "moved from Boot phase to Strength phase" in section


def test_the_timeline_pages_link_to_each_other(clinician: Clinician, patient: Patient) -> None:
    _unused, first, second = _plan(patient)
    _history(patient, first, second, days=timeline_selectors.DAYS_PER_PAGE + 1)
    url = reverse("rehab:patient_detail", args=[patient.pk])
    client = client_for(clinician.user)
    assert "?timeline_page=2#timeline" in client.get(url, {"tab": "timeline"}).content.decode()
    older = client.get(url, {"timeline_page": "2"}).content.decode()
    assert "?timeline_page=1#timeline" in older
    assert client.get(url, {"timeline_page": "nonsense"}).status_code == 200


def test_the_timelines_query_count_does_not_grow_with_its_rows(
    patient: Patient, django_assert_max_num_queries: Any
) -> None:
    """The days with entries and what each holds, then one query per source (logs with their
    exercises, check-ins, ATRS, measurements, messages with authors, phase changes with their
    phases and who changed them): 7, however long the history."""
    _unused, first, second = _plan(patient)
    _history(patient, first, second, days=2)
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as small:
        _render(patient)
    _history(patient, first, second, days=timeline_selectors.DAYS_PER_PAGE + 5, start=2)
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as large:
        html = _render(patient)
    assert len(small) == len(large)
    assert html.count('class="mb-3"') == timeline_selectors.DAYS_PER_PAGE


def test_a_source_with_nothing_on_the_pages_days_is_not_read(
    patient: Patient, django_assert_num_queries: Any
) -> None:
    """A page of days with exercise logs and check-ins only: the days with what each holds,
    the logs, the check-ins (no query for ATRS, measurements, messages or phase changes; the
    older days' ATRS answer is on the next page)."""
    _unused, _first, second = _plan(patient)
    rx = factories.PrescriptionFactory(phase=second, exercise__name="Heel raise")
    for back in range(timeline_selectors.DAYS_PER_PAGE):
        factories.ExerciseLogFactory(prescription=rx, date=_day(patient, back))
    factories.CheckInFactory(patient=patient, date=_day(patient, 1))
    factories.AtrsResponseFactory(patient=patient, date=_day(patient, 30))
    with django_assert_num_queries(3):
        html = _render(patient)
    assert html.count('class="mb-3"') == timeline_selectors.DAYS_PER_PAGE
    assert "Check-in" in html
    assert "of 100" not in html
    second_page = timeline_selectors.patient_timeline(patient, page=2)
    assert [entry.kind for day in second_page.days for entry in day.entries] == ["atrs"]


def _render(patient: Patient) -> str:
    """The include as the patient page renders it (all it reads of each row included), in its
    reader's time zone, the clinic's (ReaderTimeZoneMiddleware): rendered in the server's (UTC),
    a log at 08:00 in London read "07:00" in British Summer Time, failing the test from April
    to October."""
    timeline = timeline_selectors.patient_timeline(patient)
    with timezone.override(zoneinfo.ZoneInfo(patient.clinic.timezone)):
        return render_to_string(
            "rehab/patient_page/_timeline.html", {"timeline": timeline, "patient": patient}
        )


def test_a_days_exercise_logs_are_one_entry_newest_first(
    clinician: Clinician, patient: Patient
) -> None:
    """A day's logs are one "logs" entry at the time of the latest, listed newest first, each
    with its own line, note and time."""
    _unused, _first, second = _plan(patient)
    day = _day(patient, 0)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(8)), patient.tz)
    for hour, (name, pain, note) in enumerate(
        [("Calf stretch", 2, ""), ("Heel raise", None, "hurt a bit"), ("Balance", 1, "")]
    ):
        log = factories.ExerciseLogFactory(
            prescription=factories.PrescriptionFactory(phase=second, exercise__name=name),
            date=day,
            pain=pain,
            effort=4,
            note=note,
        )
        type(log).objects.filter(pk=log.pk).update(created_at=at + dt.timedelta(hours=hour))
    entries = timeline_selectors.patient_timeline(patient).days[0].entries
    assert [entry.kind for entry in entries] == ["logs"]
    assert entries[0].at == at + dt.timedelta(hours=2)
    names = [log.name for log in entries[0].row]
    assert names == ["Balance", "Heel raise", "Calf stretch"]
    html = _render(patient)
    assert "3 logged" in html
    lines = html.split("<li>")[1:]
    assert "<strong>Balance</strong>: " in lines[0]
    assert "pain not answered · effort 4/10" in lines[1]
    assert "“hurt a bit”" in lines[1]
    assert "8 a.m." in lines[2]  # TIME_FORMAT, as the rest of the app writes a time
