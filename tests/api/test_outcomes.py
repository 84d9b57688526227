"""Check-ins and ATRS (patients write, both read) and measurements (clinicians write)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from core.ids import from_opaque, opaque
from rehab import clinical
from rehab.models import Alert, AtrsRequest, AtrsResponse, CheckIn, Measurement, Plan, PlanHold
from rehab.services import holds
from tests import factories
from tests.api.conftest import ROW_READS, World, assert_matrix, body

READS = ROW_READS
LISTS = {"anonymous": 401, "patient": 200, "clinician": 200, "other_clinician": 200, "staff": 403}


def checkin_payload(**extra: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4()), "pain_at_rest": 2, "swelling": "mild", **extra}


def atrs_payload(**extra: Any) -> dict[str, Any]:
    items = {f"item_{n}": n % 11 for n in range(1, 11)}
    return {"client_uuid": str(uuid.uuid4()), **items, **extra}


@pytest.mark.parametrize(
    ("path", "factory", "payload"),
    [
        ("/api/v1/checkins/", factories.CheckInFactory, checkin_payload),
        ("/api/v1/atrs/", factories.AtrsResponseFactory, atrs_payload),
    ],
)
def test_what_patients_answer_matrix(
    world: World, path: str, factory: Any, payload: Callable[[], dict[str, Any]]
) -> None:
    """Check-ins and the ATRS: the patient writes, their clinic reads, nobody else."""
    row = factory(patient=world.patient)
    assert_matrix(world, "get", f"{path}{opaque(row.pk)}/", READS)
    assert_matrix(world, "get", path, LISTS)
    assert_matrix(
        world, "post", path, {"anonymous": 401, "clinician": 403, "staff": 403}, payload()
    )


def test_a_red_flag_is_taken_with_swelling_unanswered(world: World) -> None:
    """The check-in page sends its answers here when offline: swelling left on "No answer"
    (null) must not hold back the red flag ticked with it."""
    client = world.client("patient")
    data = {"client_uuid": str(uuid.uuid4()), "swelling": None, "red_flags": ["rerupture"]}
    response = client.post("/api/v1/checkins/", data, format="json")
    assert response.status_code == 201, response.content
    assert body(response)["swelling"] is None
    assert Alert.objects.get(patient=world.patient).code == "rerupture"


def test_checkin_with_red_flags_tells_the_patient_what_to_do(world: World) -> None:
    client = world.client("patient")
    data = checkin_payload(red_flags=["dvt", "rerupture"], pain_at_rest=8)
    response = client.post("/api/v1/checkins/", data, format="json")
    assert response.status_code == 201, response.content
    result = body(response)
    assert result["red_flags"] == ["dvt", "rerupture"]
    assert [a["code"] for a in result["advice"]] == ["dvt", "rerupture"]
    assert "clot" in result["advice"][0]["advice"]
    assert Alert.objects.filter(patient=world.patient).count() == 3
    again = client.post("/api/v1/checkins/", data, format="json")
    assert again.status_code == 200
    assert again.json() == result
    # A second check-in the same day updates the first.
    response = client.post("/api/v1/checkins/", checkin_payload(), format="json")
    assert response.status_code == 200
    assert CheckIn.objects.filter(patient=world.patient).count() == 1


def test_checkin_advice_to_the_patient_carries_no_citation(world: World) -> None:
    # Each red flag's ``source`` ("guysandstthomas.nhs.uk", ...) was in the advice the patient
    # is shown at once (the answer to their POST, and GET /checkins/). The patient's check-in
    # page shows the advice without it; patients never see citations. A clinician's read keeps
    # it.
    response = world.client("patient").post(
        "/api/v1/checkins/", checkin_payload(red_flags=["dvt"]), format="json"
    )
    assert response.status_code == 201, response.content
    advice = body(response)["advice"]
    assert advice, "the red flag's advice is given"
    assert "guysandstthomas.nhs.uk" not in response.content.decode(), advice
    assert advice[0]["source"] is None
    mine = world.client("patient").get("/api/v1/checkins/")
    assert "guysandstthomas.nhs.uk" not in mine.content.decode()
    [theirs] = body(world.client("clinician").get("/api/v1/checkins/"))["results"]
    assert theirs["advice"][0]["source"] == "guysandstthomas.nhs.uk"
    assert theirs["advice"][0]["advice"] == advice[0]["advice"]


def test_a_checkin_without_red_flags_leaves_the_questions_unanswered(world: World) -> None:
    """A client that did not ask the red-flag questions (a quick pain and swelling check-in,
    an older app) leaves ``red_flags`` out: the questions are stored as not asked (null), not
    as "no clot signs, no breathlessness, no re-rupture" the patient never said. A list sent
    (even empty) answers the questions asked: the listed yes, the others no."""
    client = world.client("patient")
    response = client.post("/api/v1/checkins/", checkin_payload(), format="json")
    assert response.status_code == 201, response.content
    checkin = CheckIn.objects.get(pk=from_opaque(body(response)["id"]))
    codes = [flag.code for flag in clinical.red_flags_for(has_surgery=True)]
    answered = {code: getattr(checkin, f"flag_{code}") for code in codes}
    assert answered == dict.fromkeys(codes), answered

    asked = [
        flag.code
        for flag in clinical.red_flags_for(has_surgery=world.patient.surgery_date is not None)
    ]
    response = client.post("/api/v1/checkins/", checkin_payload(red_flags=[]), format="json")
    assert response.status_code == 200, response.content  # the day's second: added to the first
    checkin.refresh_from_db()
    answered = {code: getattr(checkin, f"flag_{code}") for code in codes}
    assert answered == {code: (False if code in asked else None) for code in codes}


def test_a_retried_second_checkin_after_the_review_answers_the_stored_one(world: World) -> None:
    """From review: the day's second check-in (a red flag, a new ``client_uuid``) reaches the
    server and its answer is lost; the clinician reviews the flag and resumes the plan; the
    phone sends the same request again. It answers the stored check-in (200) and changes
    nothing: no second alert, no second hold, the plan stays resumed. The check-in page's
    offline path (records.js) sends its queued answers here, the same way."""
    client = world.client("patient")
    first = client.post("/api/v1/checkins/", checkin_payload(), format="json")
    assert first.status_code == 201, first.content
    second = checkin_payload(red_flags=["dvt"])
    answered = client.post("/api/v1/checkins/", second, format="json")
    assert answered.status_code == 200, answered.content
    assert Alert.objects.filter(patient=world.patient, kind=Alert.Kind.RED_FLAG).count() == 1
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.PAUSED

    waiting = Alert.objects.red_flags_waiting(world.patient.pk).values_list("pk", flat=True)
    holds.plan_resume(
        plan=world.plan, by=world.clinician.user, note="Phoned: no clot signs.", reviewed=waiting
    )
    retried = client.post("/api/v1/checkins/", second, format="json")  # the same request again
    assert retried.status_code == 200, retried.content
    assert body(retried)["id"] == body(first)["id"]
    assert Alert.objects.filter(patient=world.patient, kind=Alert.Kind.RED_FLAG).count() == 1
    assert PlanHold.objects.filter(plan=world.plan).count() == 1
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.ACTIVE


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"pain_at_rest": 11}, "pain_at_rest"),
        ({"swelling": "huge"}, "swelling"),
        ({"red_flags": ["fever"]}, "red_flags"),
        ({"red_flags": "dvt"}, "red_flags"),
        ({"date": "2999-01-01"}, "date"),
        ({"client_uuid": None}, "client_uuid"),
    ],
)
def test_checkin_bad_input(world: World, extra: dict, field: str) -> None:
    response = world.client("patient").post(
        "/api/v1/checkins/", checkin_payload(**extra), format="json"
    )
    assert response.status_code == 400
    assert field in body(response), body(response)


def test_atrs_with_a_misspelt_key_is_refused_not_stored_under_today(world: World) -> None:
    """Found by fuzzing: unknown keys were dropped, so answers sent with their date misspelt
    (``Date``) were stored under today, a day the patient did not give. Now refused, nothing
    stored."""
    yesterday = world.patient.local_today() - dt.timedelta(days=1)
    response = world.client("patient").post(
        "/api/v1/atrs/", atrs_payload(Date=yesterday.isoformat()), format="json"
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {"Date": ["unknown_field"]}
    assert not AtrsResponse.objects.exists()


def test_atrs_total_is_computed_by_the_server(world: World) -> None:
    client = world.client("patient")
    data = atrs_payload(total=100)
    response = client.post("/api/v1/atrs/", data, format="json")
    assert response.status_code == 201, response.content
    assert body(response)["total"] == sum(n % 11 for n in range(1, 11))
    again = client.post("/api/v1/atrs/", data, format="json")
    assert (again.status_code, again.json()) == (200, response.json())
    assert AtrsResponse.objects.count() == 1


def test_an_atrs_request_is_not_answered_by_an_older_questionnaire(world: World) -> None:
    """Only the API takes a ``date`` for the ATRS (the patient's page always answers for
    today): an answer dated ten days before the clinician asked (a late offline sync, a
    back-dated submit) is stored for its own day and leaves the request open, so the fresh
    questionnaire the clinician asked for is still offered; one for today answers it."""
    request = AtrsRequest.objects.create(patient=world.patient, requested_by=world.clinician.user)
    day = world.patient.local_today() - dt.timedelta(days=10)
    client = world.client("patient")
    response = client.post("/api/v1/atrs/", atrs_payload(date=day.isoformat()), format="json")
    assert response.status_code == 201, response.content
    request.refresh_from_db()
    assert request.response_id is None, "a request made today was answered by an older answer"
    response = client.post("/api/v1/atrs/", atrs_payload(), format="json")
    assert response.status_code == 201, response.content
    request.refresh_from_db()
    assert opaque(request.response_id) == body(response)["id"]


def test_a_retried_second_atrs_after_a_third_answers_the_stored_one(world: World) -> None:
    """From review: the day's second answer (a new ``client_uuid``) reaches the server and its
    reply is lost; the patient answers a third time; the phone sends the second request
    again. It answers the stored row (200) as the third left it: the second's answers are not
    put back."""
    client = world.client("patient")
    first = client.post("/api/v1/atrs/", atrs_payload(), format="json")
    assert first.status_code == 201, first.content
    second = atrs_payload(item_1=0)
    assert client.post("/api/v1/atrs/", second, format="json").status_code == 200
    third = client.post("/api/v1/atrs/", atrs_payload(item_1=7, item_2=9), format="json")
    assert third.status_code == 200, third.content

    retried = client.post("/api/v1/atrs/", second, format="json")  # the same request again
    assert retried.status_code == 200, retried.content
    assert body(retried) == body(third)
    assert (body(retried)["id"], body(retried)["client_uuid"]) == (
        body(first)["id"],
        body(first)["client_uuid"],
    )
    stored = AtrsResponse.objects.get(patient=world.patient)
    assert (stored.item_1, stored.item_2, stored.total) == (7, 9, body(third)["total"])


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"item_3": 11}, "item_3"), ({"item_10": None}, "item_10"), ({"date": "2999-01-01"}, "date")],
)
def test_atrs_bad_input(world: World, extra: dict, field: str) -> None:
    response = world.client("patient").post("/api/v1/atrs/", atrs_payload(**extra), format="json")
    assert response.status_code == 400
    assert field in body(response)


def measurement_payload(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "patient": opaque(world.patient.pk),
        "client_uuid": str(uuid.uuid4()),
        "heel_rise_reps_injured": 10,
        "heel_rise_reps_uninjured": 20,
        "calf_cm_injured": "35.5",
        **extra,
    }


def test_measurement_matrix(world: World) -> None:
    measurement = factories.MeasurementFactory(patient=world.patient)
    assert_matrix(world, "get", f"/api/v1/measurements/{opaque(measurement.pk)}/", READS)
    assert_matrix(world, "get", "/api/v1/measurements/", LISTS)
    assert_matrix(
        world,
        "post",
        "/api/v1/measurements/",
        {"anonymous": 401, "patient": 403, "staff": 403},
        measurement_payload(world),
    )
    response = world.client("other_clinician").post(
        "/api/v1/measurements/", measurement_payload(world), format="json"
    )
    assert response.status_code == 400
    assert "patient" in body(response)
    assert Measurement.objects.count() == 1


def test_measurement_create(world: World) -> None:
    client = world.client("clinician")
    data = measurement_payload(world)
    response = client.post("/api/v1/measurements/", data, format="json")
    assert response.status_code == 201, response.content
    result = body(response)
    assert result["heel_rise_lsi"] == 50.0
    assert result["calf_cm_injured"] == "35.5"
    assert result["recorded_by"] == opaque(world.clinician.user_id)
    again = client.post("/api/v1/measurements/", data, format="json")
    assert (again.status_code, again.json()) == (200, result)


def test_measurement_create_with_the_session_values(world: World) -> None:
    data = measurement_payload(
        world,
        heel_rise_height_cm_injured="9.0",
        heel_rise_height_cm_uninjured="10.0",
        atra_deg_injured=-10,
        atra_deg_uninjured=-4,
        toe_walk_5m=True,
    )
    response = world.client("clinician").post("/api/v1/measurements/", data, format="json")
    assert response.status_code == 201, response.content
    result = body(response)
    assert result["heel_rise_height_lsi"] == 90.0
    assert result["relative_atra"] == 6.0
    assert result["toe_walk_5m"] is True
    assert result["knee_to_wall_cm_injured"] is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"calf_cm_injured": "95"}, "calf_cm_injured"),
        ({"calf_cm_injured": "35.55"}, "calf_cm_injured"),
        ({"heel_rise_reps_injured": 201}, "heel_rise_reps_injured"),
        ({"heel_rise_reps_injured": -1}, "heel_rise_reps_injured"),
        ({"atra_deg_injured": -91}, "atra_deg_injured"),
        ({"heel_rise_reps_injured": 41}, "heel_rise_reps_injured"),  # LSI 205 %
        ({"calf_cm_injured": "0"}, "calf_cm_injured"),
        ({"date": str(dt.date(2999, 1, 1))}, "date"),
        ({"patient": 10**15}, "patient"),
    ],
)
def test_measurement_bad_input(world: World, extra: dict, field: str) -> None:
    response = world.client("clinician").post(
        "/api/v1/measurements/", measurement_payload(world, **extra), format="json"
    )
    assert response.status_code == 400
    assert field in body(response)


def test_an_empty_measurement_is_400(world: World) -> None:
    response = world.client("clinician").post(
        "/api/v1/measurements/",
        {"patient": opaque(world.patient.pk), "client_uuid": str(uuid.uuid4())},
        format="json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in body(response)


# --- Plausible dates: a record lies between the injury and today -----------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "before-injury", "9999-12-31"])
@pytest.mark.parametrize("kind", ["checkin", "atrs", "measurement", "log"])
def test_a_record_dated_before_the_injury_or_in_the_future_is_400(
    world: World, kind: str, day: str
) -> None:
    if day == "before-injury":
        day = (world.patient.injury_date - dt.timedelta(days=1)).isoformat()
    who, url, data = {
        "checkin": ("patient", "/api/v1/checkins/", checkin_payload()),
        "atrs": ("patient", "/api/v1/atrs/", atrs_payload()),
        "measurement": (
            "clinician",
            "/api/v1/measurements/",
            {
                "patient": opaque(world.patient.pk),
                "client_uuid": str(uuid.uuid4()),
                "heel_rise_reps_injured": 5,
            },
        ),
        "log": (
            "patient",
            "/api/v1/logs/",
            {
                "prescription": opaque(world.prescription.pk),
                "client_uuid": str(uuid.uuid4()),
                "sets_done": 1,
            },
        ),
    }[kind]
    response = world.client(who).post(url, {**data, "date": day}, format="json")
    assert response.status_code == 400, response.content
    expected = "future_date" if day.startswith("9999") else {"before_injury", "before_plan_start"}
    codes = body(response)["codes"]["date"]
    assert codes[0] == expected if isinstance(expected, str) else codes[0] in expected
