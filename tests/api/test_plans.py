"""Plans: clinicians create (from a template or blank), read, rename, activate and advance
them; a patient reads their own (not drafts) and their active plan at /me/plan/."""

from __future__ import annotations

import datetime as dt
import uuid

import time_machine

from clinic.models import Patient
from core.ids import from_opaque, opaque
from rehab.models import PhaseChange, Plan
from rehab.services import protocols as protocol_services
from tests import factories
from tests.api.conftest import ROW_READS, World, assert_matrix, body
from tests.names import INVISIBLE_NAMES, VISIBLE_NAMES

URL = "/api/v1/plans/"


def test_role_matrix(world: World) -> None:
    detail = f"{URL}{opaque(world.plan.pk)}/"
    assert_matrix(
        world,
        "get",
        detail,
        ROW_READS,
    )
    assert_matrix(
        world,
        "get",
        URL,
        {"anonymous": 401, "patient": 403, "clinician": 200, "other_clinician": 200},
    )
    writes = {"anonymous": 401, "patient": 403, "other_clinician": 404, "staff": 403}
    assert_matrix(world, "patch", detail, writes, {"name": "X"})
    assert_matrix(world, "post", f"{detail}activate/", writes, {})
    assert_matrix(world, "post", f"{detail}advance/", writes, {})
    world.plan.refresh_from_db()
    assert world.plan.name != "X"


def test_list_filters_by_patient(world: World) -> None:
    client = world.client("clinician")
    factories.PlanFactory(patient=world.other_patient, status=Plan.Status.DRAFT)
    assert body(client.get(URL))["count"] == 2
    data = body(client.get(URL, {"patient": opaque(world.patient.pk)}))
    assert [row["id"] for row in data["results"]] == [opaque(world.plan.pk)]
    assert client.get(URL, {"patient": opaque(world.stranger.pk)}).status_code == 404
    assert client.get(URL, {"patient": "x"}).status_code == 400


def test_a_patient_never_sees_a_draft(world: World) -> None:
    draft = factories.PlanFactory(patient=world.patient, status=Plan.Status.DRAFT)
    assert world.client("patient").get(f"{URL}{opaque(draft.pk)}/").status_code == 404
    assert world.client("clinician").get(f"{URL}{opaque(draft.pk)}/").status_code == 200


def test_detail_has_phases_and_prescriptions(world: World) -> None:
    data = body(world.client("patient").get(f"{URL}{opaque(world.plan.pk)}/"))
    [phase] = data["phases"]
    assert phase["is_current"] is True
    [rx] = phase["prescriptions"]
    assert rx["id"] == opaque(world.prescription.pk)
    # The patient reads the exercise in their words: its name for patients, not the clinician's.
    assert rx["exercise"]["patient_name"] == world.exercise.patient_display_name
    assert rx["exercise"]["name"] is None
    assert data["disclaimer"]


def test_create_from_protocol_then_activate_and_advance(world: World) -> None:
    patient = world.other_patient
    client = world.client("clinician")
    response = client.post(
        URL, {"patient": opaque(patient.pk), "protocol": opaque(world.protocol.pk)}, format="json"
    )
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["status"] == "draft"
    assert data["name"] == world.protocol.name
    assert len(data["phases"]) == 1
    plan = Plan.objects.get(pk=from_opaque(data["id"]))
    factories.PlanPhaseFactory(plan=plan, order=9, start_week=6, end_week=12)
    url = f"{URL}{opaque(plan.pk)}/"
    response = client.post(f"{url}activate/", {"version": data["version"]}, format="json")
    assert response.status_code == 200, response.content
    activated = body(response)
    assert activated["status"] == "active"
    response = client.post(f"{url}advance/", {"version": activated["version"]}, format="json")
    assert response.status_code == 200, response.content
    advanced = body(response)
    assert advanced["current_phase"] != activated["current_phase"]
    assert PhaseChange.objects.filter(plan=plan).count() == 2
    response = client.post(f"{url}advance/", {"version": advanced["version"]}, format="json")
    assert response.status_code == 400
    assert body(response)["codes"]["non_field_errors"] == ["last_phase"]


def test_advance_needs_the_plans_version(world: World) -> None:
    """The next phase is counted from the one the plan is in: without the version the move
    was made against, a repeat could not be told from a second move."""
    response = world.client("clinician").post(
        f"{URL}{opaque(world.plan.pk)}/advance/", {}, format="json"
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {"version": ["required"]}


def test_a_retried_advance_moves_the_plan_one_phase_only(world: World) -> None:
    """A request whose answer was lost, sent again, must not move the patient a second phase
    on (skipping a whole phase of their rehabilitation, with a second PhaseChange): the
    version it was made against is no longer the plan's, so the repeat is refused as stale,
    as the web page's is (``VersionForm``)."""
    patient = factories.PatientFactory(clinic=world.clinician.clinic)  # in week 4
    plan, phases = factories.active_plan(patient, phases=3, weeks=2)
    plan.phases.filter(pk=phases[2].pk).update(end_week=52)
    exercise = factories.ExerciseFactory(earliest_week_operative=0, earliest_week_non_operative=0)
    for phase in phases:
        factories.PrescriptionFactory(phase=phase, exercise=exercise)
    client = world.client("clinician")
    sent = {"version": plan.version}
    first = client.post(f"{URL}{opaque(plan.pk)}/advance/", sent, format="json")
    assert first.status_code == 200, first.content
    plan.refresh_from_db()
    assert plan.current_phase_id == phases[1].pk
    retry = client.post(f"{URL}{opaque(plan.pk)}/advance/", sent, format="json")
    assert retry.status_code == 400
    assert body(retry)["codes"]["non_field_errors"] == ["stale_plan"]
    unversioned = client.post(
        f"{URL}{opaque(plan.pk)}/advance/", {}, format="json"
    )  # an older client
    assert body(unversioned)["codes"] == {"version": ["required"]}
    plan.refresh_from_db()
    assert plan.current_phase_id == phases[1].pk, "the retry skipped a phase"
    assert PhaseChange.objects.filter(plan=plan, to_phase=phases[2]).count() == 0


def test_a_misspelt_key_is_refused_and_changes_nothing(world: World) -> None:
    """Found by fuzzing: unknown keys were dropped, so a plan asked for with its template
    misspelt (``protocl``) was made blank, and an activation with its version misspelt
    (``Version``) skipped the check for a change made meanwhile. Now refused, nothing done."""
    client = world.client("clinician")
    response = client.post(
        URL,
        {"patient": opaque(world.other_patient.pk), "protocl": world.protocol.pk},
        format="json",
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {"protocl": ["unknown_field"]}
    assert not Plan.objects.filter(patient=world.other_patient).exists()
    draft = factories.PlanFactory(patient=world.other_patient, status=Plan.Status.DRAFT)
    factories.PlanPhaseFactory(plan=draft, order=1, start_week=0, end_week=52)
    for action in ("activate", "advance"):
        response = client.post(
            f"{URL}{opaque(draft.pk)}/{action}/",
            {"version": draft.version, "Version": 1},
            format="json",
        )
        assert response.status_code == 400
        assert body(response)["codes"] == {"Version": ["unknown_field"]}
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


def test_create_blank_and_rename(world: World) -> None:
    client = world.client("clinician")
    response = client.post(
        URL, {"patient": opaque(world.other_patient.pk), "name": "Mine"}, format="json"
    )
    assert response.status_code == 201
    data = body(response)
    assert (data["name"], data["phases"], data["protocol"]) == ("Mine", [], None)
    url = f"{URL}{data['id']}/"
    response = client.patch(url, {"name": "Renamed", "version": data["version"]}, format="json")
    assert body(response)["name"] == "Renamed"
    stale = client.patch(url, {"name": "Again", "version": data["version"]}, format="json")
    assert stale.status_code == 400
    assert client.patch(url, {"name": "  "}, format="json").status_code == 400
    # Activating a plan without phases says why.
    response = client.post(f"{url}activate/", {}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in body(response)


def test_create_refuses_another_clinics_patient_or_protocol(world: World) -> None:
    client = world.client("clinician")
    response = client.post(URL, {"patient": opaque(world.stranger.pk)}, format="json")
    assert response.status_code == 400
    assert "patient" in body(response)
    theirs = factories.ProtocolFactory(clinic=world.other_clinician.clinic)
    response = client.post(
        URL,
        {"patient": opaque(world.other_patient.pk), "protocol": opaque(theirs.pk)},
        format="json",
    )
    assert response.status_code == 400
    assert "protocol" in body(response)
    assert not Plan.objects.filter(patient=world.other_patient).exists()


def test_create_is_idempotent_by_client_uuid(world: World) -> None:
    """The same request sent again, however late, answers the plan it made (200)."""
    client = world.client("clinician")
    data = {
        "patient": opaque(world.other_patient.pk),
        "protocol": opaque(world.protocol.pk),
        "client_uuid": str(uuid.uuid4()),
    }
    first = client.post(URL, data, format="json")
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=5)):
        again = client.post(URL, data, format="json")
    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert body(first)["id"] == body(again)["id"]
    assert Plan.objects.filter(patient=world.other_patient).count() == 1
    other = client.post(URL, {**data, "client_uuid": str(uuid.uuid4())}, format="json")
    assert other.status_code == 201
    assert Plan.objects.filter(patient=world.other_patient).count() == 2


def test_create_refuses_the_client_uuid_of_another_clinics_plan(world: World) -> None:
    theirs = factories.PlanFactory(
        patient=world.stranger, status=Plan.Status.DRAFT, client_uuid=uuid.uuid4()
    )
    response = world.client("clinician").post(
        URL,
        {"patient": opaque(world.other_patient.pk), "client_uuid": str(theirs.client_uuid)},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {"client_uuid": ["client_uuid_in_use"]}
    assert opaque(theirs.pk) not in response.content.decode()
    assert not Plan.objects.filter(patient=world.other_patient).exists()


def test_create_refuses_a_template_of_the_other_pathway(world: World) -> None:
    patient = factories.PatientFactory(
        clinic=world.clinician.clinic, pathway=Patient.Pathway.NON_OPERATIVE
    )
    response = world.client("clinician").post(
        URL, {"patient": opaque(patient.pk), "protocol": opaque(world.protocol.pk)}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in body(response)


def test_me_plan(world: World) -> None:
    assert_matrix(
        world,
        "get",
        "/api/v1/me/plan/",
        {"anonymous": 401, "patient": 200, "clinician": 403, "staff": 403},
    )
    data = body(world.client("patient").get("/api/v1/me/plan/"))
    assert data["id"] == opaque(world.plan.pk)
    response = world.client("other_patient").get("/api/v1/me/plan/")
    assert response.status_code == 404
    assert body(response)["detail"]


def test_patching_a_read_only_plan_field_is_refused_not_silently_ignored(world: World) -> None:
    """PATCH /plans/{id}/ documents only `name` (and `version`); a client sending
    `{"status": "completed"}` gets 200 and believes the plan completed, while the patient
    keeps being asked to exercise."""
    client = world.client("clinician")
    response = client.patch(
        f"/api/v1/plans/{opaque(world.plan.pk)}/", {"status": "completed"}, format="json"
    )
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.ACTIVE
    assert response.status_code == 400, body(response)


def test_the_api_does_not_make_a_plan_from_an_archived_template(world: World) -> None:
    """An archived template is 'no longer offered for new plans' (template_archive); the web
    page hides it, the API still copies it into a new plan."""
    clinic = world.clinician.clinic
    own = factories.ProtocolFactory(clinic=clinic, pathway=Patient.Pathway.OPERATIVE)
    factories.ProtocolPhaseFactory(protocol=own, order=1, start_week=0, end_week=6)
    protocol_services.template_archive(protocol=own)
    client = world.client("clinician")
    response = client.post(
        "/api/v1/plans/",
        {"patient": opaque(world.other_patient.pk), "protocol": opaque(own.pk)},
        format="json",
    )
    assert response.status_code == 400, body(response)
    assert not Plan.objects.filter(patient=world.other_patient).exists()


def test_a_reason_keyed_by_another_plans_prescription_is_a_400_and_changes_nothing(
    world: World,
) -> None:
    """``guardrail_reasons`` names prescriptions of the plan: a reason keyed by another
    clinic's prescription (or one of no plan of this one) was dropped without a word and the
    plan activated or moved on, the clinician told 200 and their reason stored nowhere."""
    draft = factories.PlanFactory(patient=world.other_patient, status=Plan.Status.DRAFT)
    factories.PlanPhaseFactory(plan=draft, order=1, start_week=0, end_week=52)
    client = world.client("clinician")
    foreign = {opaque(world.stranger_prescription.pk): "Cleared by the surgeon."}
    response = client.post(
        f"{URL}{opaque(draft.pk)}/activate/",
        {"version": draft.version, "guardrail_reasons": foreign},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {"guardrail_reasons": ["not_a_prescription_id"]}
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT
    factories.PlanPhaseFactory(plan=world.plan, order=2, start_week=52, end_week=60)
    response = client.post(
        f"{URL}{opaque(world.plan.pk)}/advance/",
        {"version": world.plan.version, "guardrail_reasons": foreign},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {"guardrail_reasons": ["not_a_prescription_id"]}
    world.plan.refresh_from_db()
    assert world.plan.current_phase_id == world.phase.pk


def test_a_plan_name_of_only_invisible_characters_is_a_400_and_changes_nothing(
    world: World,
) -> None:
    client = world.client("clinician")
    before = Plan.objects.count()
    url = f"{URL}{opaque(world.plan.pk)}/"
    for name in INVISIBLE_NAMES:
        response = client.post(
            URL, {"patient": opaque(world.other_patient.pk), "name": name}, format="json"
        )
        assert response.status_code == 400, response.content
        assert body(response)["codes"] == {"name": ["invisible"]}
        assert Plan.objects.count() == before
        response = client.patch(url, {"name": name}, format="json")
        assert response.status_code == 400, response.content
        assert body(response)["codes"] == {"name": ["invisible"]}
        world.plan.refresh_from_db()
        assert world.plan.name != name


def test_a_plan_name_with_a_visible_letter_is_kept(world: World) -> None:
    client = world.client("clinician")
    for name in VISIBLE_NAMES:
        response = client.post(
            URL, {"patient": opaque(world.other_patient.pk), "name": name}, format="json"
        )
        assert response.status_code == 201, response.content
        assert Plan.objects.get(pk=from_opaque(body(response)["id"])).name == name
