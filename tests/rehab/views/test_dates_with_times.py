"""One way to write a moment (a date with its time): the project's DATETIME_FORMAT, as the
alerts, the messages and the export write it ("2 Dec 2026, 2:30 p.m." in English). The history
pages of an exercise and of a template and the builder's phase history wrote "2 Dec 2026, 14:30"
or "2 Dec 2026 14:30" of their own. A date alone keeps the design's "2 Dec 2026".
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format

from clinic.models import Clinician
from rehab.models import Exercise, PhaseChange, Plan, Protocol
from rehab.services import protocols as protocol_services
from tests import factories
from tests.conftest import client_for
from tests.rehab.views.test_exercises import FORM

pytestmark = pytest.mark.django_db

# An afternoon: "14:30" and "2:30 p.m." differ.
AFTERNOON = dt.datetime(2026, 12, 2, 14, 30, tzinfo=dt.UTC)


def _shown(value: dt.datetime, clinician: Clinician) -> str:
    """``value`` as the pages write a moment, in the clinic's time zone."""
    zone = zoneinfo.ZoneInfo(clinician.clinic.timezone)
    return date_format(timezone.localtime(value, zone), "DATETIME_FORMAT")


def _times(page: str) -> list[str]:
    return [text.strip() for text in re.findall(r"<time [^>]*>([^<]*)</time>", page)]


def test_an_exercises_history_writes_its_moments_as_the_app_does(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    with time_machine.travel(AFTERNOON, tick=False):
        client_for(clinician.user).post(reverse("rehab:exercise_create"), FORM)
        exercise = Exercise.objects.get(name=FORM["name"])
        client_for(clinician.user).post(
            reverse("rehab:exercise_edit", args=[exercise.pk]),
            {**FORM, "steps": "1. Sit\n2. Lift"},  # the instructions' "updated on" moment too
        )
    page = client_for(admin.user).get(reverse("rehab:exercise_history", args=[exercise.pk]))
    html = page.content.decode()
    when = _shown(AFTERNOON, clinician)
    assert _times(html) == [when, when]
    exercise.refresh_from_db()
    assert exercise.instructions_updated_at is not None
    assert f"<ins>{when}</ins>" in html  # a changed moment, in the same words


def test_a_templates_history_writes_its_moments_as_the_app_does(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    with time_machine.travel(AFTERNOON, tick=False):
        protocol = factories.ProtocolFactory(clinic=clinician.clinic, name="Ours")
        draft = protocol_services.template_draft(protocol=protocol, created_by=clinician.user)
        protocol_services.template_update(draft=draft, name="Ours, revised")
    page = client_for(admin.user).get(reverse("rehab:template_history", args=[protocol.pk]))
    times = _times(page.content.decode())
    assert times
    assert set(times) == {_shown(AFTERNOON, clinician)}
    assert Protocol.objects.filter(lineage=protocol.lineage).count() == 2


def test_the_builders_phase_history_writes_its_moments_as_the_app_does(
    clinician: Clinician,
) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic)
    plan = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    phase = factories.PlanPhaseFactory(plan=plan, order=1, start_week=0, end_week=4)
    change = PhaseChange.objects.create(plan=plan, to_phase=phase, effective_on=plan.anchor_date)
    PhaseChange.objects.filter(pk=change.pk).update(changed_at=AFTERNOON)
    page = client_for(clinician.user).get(reverse("rehab:plan_builder", args=[plan.pk]))
    html = page.content.decode()
    table = html[html.index('id="history-title"') :]
    assert f"<td>{_shown(AFTERNOON, clinician)}</td>" in table
    # The day it took effect: a date alone, as the design writes one.
    assert f"<td>{date_format(plan.anchor_date, 'j M Y')}</td>" in table


# A date filter's format with a time in it ("H:i", "P", …) written out in a template, rather
# than the project's DATETIME_FORMAT. A time alone (under a day's heading, or in a sentence that
# names the day in words) is not a moment written out; neither is "c" (a <time>'s datetime).
_FORMAT = re.compile(r"""\|date:\s*["']([^"']+)["']""")
_TIME = re.compile(r"[aAfgGhHiPsu]")
_DAY = re.compile(r"[dDjlSz]")


def test_no_template_writes_a_moment_in_a_format_of_its_own() -> None:
    found = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for fmt in _FORMAT.findall(line):
                if fmt.endswith("_FORMAT") or fmt in ("c", "U"):
                    continue
                if _TIME.search(fmt) and _DAY.search(fmt):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {fmt}")
    assert found == []


def test_the_timeline_writes_a_time_as_the_patients_messages_do(clinician: Clinician) -> None:
    """From the look review (1366×900): the patient page's Timeline wrote a log's and a
    message's time as "14:30", its Messages tab the same message at "2:30 p.m.". The
    timeline's times, under their day, are the project's TIME_FORMAT."""
    patient = factories.PatientFactory(clinic=clinician.clinic)
    plan = factories.PlanFactory(patient=patient, status=Plan.Status.ACTIVE)
    rx = factories.PrescriptionFactory(phase=factories.PlanPhaseFactory(plan=plan))
    with time_machine.travel(AFTERNOON, tick=False):
        factories.ExerciseLogFactory(prescription=rx)
        factories.MessageFactory(patient=patient)
    url = reverse("rehab:patient_detail", args=[patient.pk]) + "?tab=timeline"
    html = client_for(clinician.user).get(url).content.decode()
    local = timezone.localtime(AFTERNOON, zoneinfo.ZoneInfo(clinician.clinic.timezone))
    assert html.count(time_format(local, "TIME_FORMAT")) == 2  # the log's and the message's
    assert local.strftime("%H:%M") not in html
