"""Every list keeps the same number of queries as its rows grow (no N+1): each is read with
3 rows, then with 30, and must cost the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from core.ids import opaque
from rehab.models import AtrsResponse, CheckIn
from tests import factories
from tests.api.conftest import World, body


def exercises(world: World, n: int) -> None:
    equipment = factories.EquipmentFactory()
    for _ in range(n):
        factories.ExerciseFactory(clinic=world.clinician.clinic).equipment.add(equipment)


def protocols(world: World, n: int) -> None:
    factories.ProtocolFactory.create_batch(n)


def protocol_items(world: World, n: int) -> None:
    phase = world.protocol.phases.get()
    for _ in range(n):
        factories.ProtocolItemFactory(phase=phase)


def patients(world: World, n: int) -> None:
    factories.PatientFactory.create_batch(n, clinic=world.clinician.clinic)


def plans(world: World, n: int) -> None:
    for _ in range(n):
        factories.PlanFactory(patient=world.other_patient, status="draft")


def prescriptions(world: World, n: int) -> None:
    for _ in range(n):
        rx = factories.PrescriptionFactory(phase=world.phase)
        rx.exercise.equipment.add(factories.EquipmentFactory())
        factories.ExerciseLogFactory(prescription=rx, date=world.patient.local_today())


def logs(world: World, n: int) -> None:
    factories.ExerciseLogFactory.create_batch(n, prescription=world.prescription)


def checkins(world: World, n: int) -> None:
    today = world.patient.local_today()
    done = CheckIn.objects.filter(patient=world.patient).count()
    for back in range(done + 1, done + n + 1):
        factories.CheckInFactory(patient=world.patient, date=today - dt.timedelta(days=back))


def atrs(world: World, n: int) -> None:
    today = world.patient.local_today()
    done = AtrsResponse.objects.filter(patient=world.patient).count()
    for back in range(done, done + n):  # one answer a day
        factories.AtrsResponseFactory(patient=world.patient, date=today - dt.timedelta(days=back))


def measurements(world: World, n: int) -> None:
    factories.MeasurementFactory.create_batch(n, patient=world.patient)


def messages(world: World, n: int) -> None:
    factories.MessageFactory.create_batch(n, patient=world.patient)
    factories.MessageFactory.create_batch(
        n, patient=world.patient, author=world.clinician.user, from_patient=False
    )


def alerts(world: World, n: int) -> None:
    factories.AlertFactory.create_batch(n, patient=world.patient)


def devices(world: World, n: int) -> None:
    for _ in range(n):
        AuthToken.objects.create(user=world.clinician.user)


LISTS: list[tuple[str, str, Callable[[World, int], None]]] = [
    ("clinician", "/api/v1/exercises/", exercises),
    ("clinician", "/api/v1/protocols/", protocols),
    ("clinician", "/api/v1/protocols/{protocol}/", protocol_items),
    ("clinician", "/api/v1/patients/", patients),
    ("clinician", "/api/v1/plans/", plans),
    ("clinician", "/api/v1/plans/{plan}/", prescriptions),
    ("patient", "/api/v1/me/plan/", prescriptions),
    ("patient", "/api/v1/me/today/", prescriptions),
    ("clinician", "/api/v1/logs/", logs),
    ("patient", "/api/v1/logs/", logs),
    ("clinician", "/api/v1/checkins/", checkins),
    ("patient", "/api/v1/atrs/", atrs),
    ("clinician", "/api/v1/measurements/", measurements),
    ("clinician", "/api/v1/messages/", messages),
    ("patient", "/api/v1/messages/", messages),
    ("clinician", "/api/v1/alerts/", alerts),
    ("clinician", "/api/v1/auth/devices/", devices),
]


def queries_for(world: World, who: str, url: str) -> tuple[int, Any]:
    client = world.client(who)
    client.get(url)  # warm up: content types, sessions and the like
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(context.captured_queries), body(response)


@pytest.mark.parametrize(("who", "url", "make"), LISTS, ids=[f"{w} {u}" for w, u, _ in LISTS])
def test_queries_do_not_grow_with_rows(
    world: World, who: str, url: str, make: Callable[[World, int], None]
) -> None:
    url = url.format(plan=opaque(world.plan.pk), protocol=opaque(world.protocol.pk))
    make(world, 3)
    few, few_body = queries_for(world, who, url)
    make(world, 27)
    many, many_body = queries_for(world, who, url)
    assert len(str(many_body)) > len(str(few_body))  # the rows did reach the answer
    assert many == few


@pytest.mark.parametrize("who", ["clinician", "patient"])
def test_a_plans_detail_reads_the_plan_once(world: World, who: str) -> None:
    url = f"/api/v1/plans/{opaque(world.plan.pk)}/"
    world.client(who).get(url)  # warm up
    with CaptureQueriesContext(connection) as context:
        assert world.client(who).get(url).status_code == 200
    plan_reads = [  # (the audit event's INSERT finds the plan's patient with a subquery)
        q for q in context.captured_queries if q["sql"].startswith('SELECT "rehab_plan"."id"')
    ]
    assert len(plan_reads) == 1, plan_reads
