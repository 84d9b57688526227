"""The API's exit criteria (evaluated), proposals and reference points: clinicians only."""

from __future__ import annotations

from decimal import Decimal

from core.ids import opaque
from rehab.models import CriterionKind, PlanCriterion
from tests import factories
from tests.api.conftest import World, body, token_client


def _criterion(world: World) -> PlanCriterion:
    world.plan.current_phase = world.phase
    world.plan.save()
    return PlanCriterion.objects.create(
        phase=world.phase,
        kind=CriterionKind.MEASUREMENT,
        measure="heel_rise_height_lsi",
        threshold=Decimal(90),
        label="Heel-rise height LSI 90 %",
    )


def _meets_it_today(world: World) -> None:
    """A measurement today with a heel-rise height LSI of 90 %: ``_criterion`` is met."""
    factories.MeasurementFactory.create(
        patient=world.patient,
        date=world.patient.local_today(),
        heel_rise_height_cm_injured=Decimal(9),
        heel_rise_height_cm_uninjured=Decimal(10),
    )


def test_a_phases_criteria_evaluated(world: World) -> None:
    _criterion(world)
    url = f"/api/v1/phases/{opaque(world.phase.pk)}/criteria/"
    response = world.client("colleague").get(url)
    assert response.status_code == 200, response.content
    (item,) = body(response)["criteria"]
    assert (item["status"], item["evidence"]) == (
        "unknown",
        "Heel-rise height LSI not recorded yet.",
    )
    _meets_it_today(world)
    (item,) = body(world.client("clinician").get(url))["criteria"]
    assert item["status"] == "met"
    for who, code in (("other_clinician", 404), ("patient", 403), ("anonymous", 401)):
        assert world.client(who).get(url).status_code == code


def test_proposals_and_reference_points(world: World) -> None:
    _criterion(world)
    response = world.client("clinician").get("/api/v1/proposals/")
    assert response.status_code == 200, response.content
    assert body(response)["results"] == []  # unknown: no proposal
    _meets_it_today(world)
    results = body(world.client("clinician").get("/api/v1/proposals/"))["results"]
    assert [r["evaluation"]["patient"] for r in results if r["kind"] == "ready"] in (
        [world.patient.pk],
        [],  # the plan's only phase: nothing to propose
    )
    points = body(world.client("clinician").get("/api/v1/reference-points/"))["results"]
    assert len(points) == 13
    assert all(point["source"] for point in points)
    assert world.client("patient").get("/api/v1/proposals/").status_code == 403


def test_the_clinic_outcomes_for_clinic_admins(world: World) -> None:
    admin = factories.ClinicAdminFactory.create(clinic=world.clinician.clinic)
    world.patient.last_name = "Quillfeather"  # no published source's author
    world.patient.save()
    # 5 patients of the pathway, each with a suspected re-rupture: the fewest the API's
    # figures may be about (fewer are withheld: the test below).
    others = factories.PatientFactory.create_batch(
        4, clinic=world.patient.clinic, pathway=world.patient.pathway
    )
    for patient in (world.patient, *others):
        factories.AlertFactory.create(patient=patient, kind="red_flag", code="rerupture")
    response = token_client(admin.user).get("/api/v1/outcomes/")
    assert response.status_code == 200, response.content
    rows = {row["pathway"]: row for row in body(response)["results"]}
    row = rows[world.patient.pathway]
    assert row["patients"] >= 5
    assert row["reruptures_per_100"] is not None
    assert row["reruptures_per_100"] > 0
    assert [around["week"] for around in row["atrs"]] == [12, 26]
    assert all(point["source"] for around in row["atrs"] for point in around["references"])
    assert world.patient.last_name not in response.content.decode()  # aggregates only
    for who, code in (("clinician", 403), ("patient", 403), ("anonymous", 401)):
        assert world.client(who).get("/api/v1/outcomes/").status_code == code


def test_the_clinic_outcomes_withhold_figures_about_fewer_than_5_patients(world: World) -> None:
    """A count of 1 to 4 patients, or a statistic over fewer than 5, is null, and the row says
    it withheld some; zeros are given."""
    admin = factories.ClinicAdminFactory.create(clinic=world.clinician.clinic)
    factories.AlertFactory.create(patient=world.patient, kind="red_flag", code="rerupture")
    response = token_client(admin.user).get("/api/v1/outcomes/")
    assert response.status_code == 200, response.content
    rows = {row["pathway"]: row for row in body(response)["results"]}
    row = rows[world.patient.pathway]
    assert row["withheld"] is True
    assert row["patients"] is None
    assert row["red_flags_per_100"] is None
    assert row["reruptures_per_100"] is None
    assert all(band["patients"] in (None, 0) for band in row["adherence"])
    assert all(phase["patients"] is None for phase in row["by_phase"])
    assert all(t["median_weeks"] is None and t["patients"] is None for t in row["time_to_phase"])
    assert [around["answers"] for around in row["atrs"]] == [0, 0]  # zeros are given
    empty = next(r for pathway, r in rows.items() if pathway != world.patient.pathway)
    assert empty["patients"] == 0
    assert empty["withheld"] is False
