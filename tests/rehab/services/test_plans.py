"""The plan services: creating, copying, editing, activating and progressing a plan."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from core.ids import opaque
from core.resubmit import RESUBMIT_WINDOW
from rehab import guardrails, selectors, services
from rehab.models import (
    Exercise,
    ExerciseLog,
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
    Protocol,
    ProtocolItem,
)
from rehab.selectors.adherence_totals import judged_adherence_totals
from rehab.selectors.today import is_due_on
from rehab.services import library as library_services
from tests import factories
from tests.rehab.clinical_loop import daily_plan

pytestmark = pytest.mark.django_db

STALE = "Someone else changed this plan"


def _draft(patient: Patient | None = None, **kwargs: Any) -> Plan:
    patient = patient or factories.PatientFactory.create()
    return factories.PlanFactory.create(patient=patient, status=Plan.Status.DRAFT, **kwargs)


def _phase(plan: Plan, *, start: int, end: int, order: int = 1, **kwargs: Any) -> PlanPhase:
    return factories.PlanPhaseFactory.create(
        plan=plan, start_week=start, end_week=end, order=order, **kwargs
    )


def _late_exercise(week: int = 12) -> Exercise:
    """An exercise not safe before ``week`` on either pathway (like a standing calf stretch)."""
    return factories.ExerciseFactory.create(
        name="Standing calf stretch",
        category=Exercise.Category.STRETCH,
        earliest_week_operative=week,
        earliest_week_non_operative=week + 4,
        earliest_week_reason="Stretching the healing tendon early risks lengthening it.",
        earliest_week_source="Table E-1",
        default_sets=3,
        default_reps=None,
        default_hold_seconds=30,
    )


# --- Creating a plan -------------------------------------------------------------------------


def test_assigning_a_protocol_copies_it_and_later_protocol_edits_leave_the_plan_unchanged() -> None:
    """Issue acceptance: the plan is the patient's own copy of the template."""
    protocol = factories.ProtocolFactory.create(version="3")
    first = factories.ProtocolPhaseFactory.create(
        protocol=protocol,
        order=1,
        name="Protection",
        start_week=0,
        end_week=2,
        goals="Protect the repair",
        precautions="No stretching",
        weight_bearing="Non-weight-bearing",
        boot="Splint",
        wedges="3 wedges",
        exit_criteria="Wound healed\nIn a boot",
    )
    second = factories.ProtocolPhaseFactory.create(
        protocol=protocol, order=2, name="Early motion", start_week=2, end_week=6
    )
    toe = factories.ProtocolItemFactory.create(
        phase=first, order=1, sets=2, reps=10, times_per_day=3, days_per_week=7, note="Gently"
    )
    hold = factories.ProtocolItemFactory.create(
        phase=second, order=1, sets=3, reps=None, hold_seconds=30, side="each"
    )
    patient = factories.PatientFactory.create()

    plan = services.plan_from_protocol(patient=patient, protocol=protocol, created_by=None)

    assert (plan.status, plan.protocol, plan.protocol_version) == ("draft", protocol, "3")
    assert plan.anchor_date == patient.surgery_date
    phases = list(plan.phases.order_by("order"))
    assert [(p.name, p.start_week, p.end_week) for p in phases] == [
        ("Protection", 0, 2),
        ("Early motion", 2, 6),
    ]
    assert phases[0].goals == "Protect the repair"
    assert phases[0].precautions == "No stretching"
    assert (phases[0].weight_bearing, phases[0].boot, phases[0].wedges) == (
        "Non-weight-bearing",
        "Splint",
        "3 wedges",
    )
    assert phases[0].exit_criteria_list == ["Wound healed", "In a boot"]
    rx1 = phases[0].prescriptions.get()
    assert (rx1.exercise, rx1.sets, rx1.reps, rx1.times_per_day, rx1.note) == (
        toe.exercise,
        2,
        10,
        3,
        "Gently",
    )
    rx2 = phases[1].prescriptions.get()
    assert (rx2.exercise, rx2.sets, rx2.reps, rx2.hold_seconds, rx2.side) == (
        hold.exercise,
        3,
        None,
        30,
        "each",
    )

    # Edit the template afterwards: rename a phase, change a dose, add an item.
    first.name = "Renamed in the template"
    first.start_week = 1
    first.save()
    toe.sets = 5
    toe.reps = 20
    toe.save()
    factories.ProtocolItemFactory.create(phase=first, order=2)
    protocol.version = "4"
    protocol.save()

    plan.refresh_from_db()
    assert plan.protocol_version == "3"
    phases = list(plan.phases.order_by("order"))
    assert [(p.name, p.start_week) for p in phases] == [("Protection", 0), ("Early motion", 2)]
    assert phases[0].prescriptions.count() == 1
    rx1.refresh_from_db()
    assert (rx1.sets, rx1.reps) == (2, 10)
    assert ProtocolItem.objects.filter(phase=first).count() == 2


def test_a_template_for_the_other_pathway_is_refused() -> None:
    protocol = factories.ProtocolFactory.create(pathway=Patient.Pathway.NON_OPERATIVE)
    patient = factories.PatientFactory.create(pathway=Patient.Pathway.OPERATIVE)
    with pytest.raises(ValidationError, match="pathway"):
        services.plan_from_protocol(patient=patient, protocol=protocol, created_by=None)
    assert not Plan.objects.exists()


@pytest.mark.parametrize("status", [Patient.Status.DISCHARGED, Patient.Status.ARCHIVED])
@pytest.mark.parametrize("with_template", [True, False])
def test_no_plan_for_a_discharged_or_archived_patient(status: str, with_template: bool) -> None:
    patient = factories.PatientFactory.create(status=status)
    protocol = factories.ProtocolFactory.create() if with_template else None
    with pytest.raises(ValidationError, match="reactivate"):
        services.plan_draft(patient=patient, protocol=protocol, created_by=None)[0]
    assert not Plan.objects.exists()


@pytest.mark.parametrize("with_template", [True, False])
def test_creating_the_same_plan_twice_within_seconds_returns_the_first(
    with_template: bool,
) -> None:
    """A double-submitted form never makes a second draft."""
    user = factories.UserFactory.create()
    patient = factories.PatientFactory.create()
    protocol = None
    if with_template:
        protocol = factories.ProtocolFactory.create()
        factories.ProtocolItemFactory.create(phase__protocol=protocol)
    first = services.plan_draft(patient=patient, protocol=protocol, created_by=user, name="A")[0]
    second = services.plan_draft(patient=patient, protocol=protocol, created_by=user, name="A")[0]
    assert second.pk == first.pk
    assert Plan.objects.count() == 1
    assert PlanPhase.objects.count() == (1 if with_template else 0)


def test_a_second_draft_later_or_different_is_a_new_plan() -> None:
    user = factories.UserFactory.create()
    patient = factories.PatientFactory.create()
    first = services.plan_draft(patient=patient, protocol=None, created_by=user, name="A")[0]
    other_name = services.plan_draft(patient=patient, protocol=None, created_by=user, name="B")[0]
    assert other_name.pk != first.pk
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 2):
        later = services.plan_draft(patient=patient, protocol=None, created_by=user, name="A")[0]
    assert later.pk not in (first.pk, other_name.pk)
    # An edited draft is not a double click either.
    edited = services.plan_draft(patient=patient, protocol=None, created_by=user, name="C")[0]
    services.plan_rename(plan=edited, name="C", expected_version=edited.version)
    again = services.plan_draft(patient=patient, protocol=None, created_by=user, name="C")[0]
    assert again.pk != edited.pk


@pytest.mark.parametrize("with_template", [True, False])
def test_the_same_page_sent_again_later_returns_its_plan(with_template: bool) -> None:
    """A retry long after the first submit (a slow answer, Back then Submit) carries the
    page's id: it finds the draft that id made, whatever its age or edits since."""
    user = factories.UserFactory.create()
    patient = factories.PatientFactory.create()
    protocol = None
    if with_template:
        protocol = factories.ProtocolFactory.create()
        factories.ProtocolItemFactory.create(phase__protocol=protocol)
    page = uuid.uuid4()
    first, created = services.plan_draft(
        patient=patient, protocol=protocol, created_by=user, name="A", client_uuid=page
    )
    assert created
    services.plan_rename(plan=first, name="Renamed", expected_version=first.version)
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 10):
        again, created = services.plan_draft(
            patient=patient, protocol=protocol, created_by=user, name="A", client_uuid=page
        )
    assert not created
    assert again.pk == first.pk
    assert Plan.objects.count() == 1
    assert PlanPhase.objects.count() == (1 if with_template else 0)


@pytest.mark.parametrize("first_template", [True, False])
def test_the_same_page_sent_again_with_another_template_is_refused(first_template: bool) -> None:
    """Back, another template chosen, Submit: the page's id made a plan of the first choice.
    Returning it would open a plan of the template the clinician turned away from; refused,
    saying what to do, and nothing more is made."""
    user = factories.UserFactory.create()
    patient = factories.PatientFactory.create()
    chosen = factories.ProtocolFactory.create()
    other = factories.ProtocolFactory.create()
    page = uuid.uuid4()
    first, _ = services.plan_draft(
        patient=patient,
        protocol=chosen if first_template else None,
        created_by=user,
        name="A",
        client_uuid=page,
    )
    with pytest.raises(ValidationError) as refused:
        services.plan_draft(
            patient=patient, protocol=other, created_by=user, name="A", client_uuid=page
        )
    assert refused.value.error_dict["client_uuid"][0].code == "client_uuid_changed"
    assert "open the new-plan page again" in str(refused.value)
    assert list(Plan.objects.values_list("pk", flat=True)) == [first.pk]


def test_two_pages_make_two_plans_even_within_seconds() -> None:
    """Two pages (two tabs, each submitted) are two submits: their ids differ."""
    user = factories.UserFactory.create()
    patient = factories.PatientFactory.create()
    one, _ = services.plan_draft(
        patient=patient, protocol=None, created_by=user, name="A", client_uuid=uuid.uuid4()
    )
    two, created = services.plan_draft(
        patient=patient, protocol=None, created_by=user, name="A", client_uuid=uuid.uuid4()
    )
    assert created
    assert one.pk != two.pk
    assert set(Plan.objects.values_list("client_uuid", flat=True)) == {
        one.client_uuid,
        two.client_uuid,
    }


@pytest.mark.parametrize("whose", ["other_clinic", "other_patient", "other_clinician"])
def test_a_page_id_of_another_plan_is_refused(whose: str) -> None:
    """An id that made another patient's plan (another clinic's, or one a colleague made) is
    no retry of this submit: refused, and nothing of that plan is returned."""
    user = factories.UserFactory.create()
    patient = factories.PatientFactory.create()
    theirs_patient = (
        patient
        if whose == "other_clinician"
        else factories.PatientFactory.create(
            clinic=patient.clinic if whose == "other_patient" else factories.ClinicFactory()
        )
    )
    page = uuid.uuid4()
    theirs, _ = services.plan_draft(
        patient=theirs_patient,
        protocol=None,
        created_by=factories.UserFactory.create() if whose == "other_clinician" else user,
        name="Theirs",
        client_uuid=page,
    )
    with pytest.raises(ValidationError) as refused:
        services.plan_draft(
            patient=patient, protocol=None, created_by=user, name="Mine", client_uuid=page
        )
    assert refused.value.error_dict["client_uuid"][0].code == "client_uuid_in_use"
    assert "Theirs" not in str(refused.value)
    assert list(Plan.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_plans_from_the_seeded_templates_raise_no_guardrail_warning(seeded: None) -> None:
    for slug, pathway in [
        ("achilles-operative", Patient.Pathway.OPERATIVE),
        ("achilles-non-operative", Patient.Pathway.NON_OPERATIVE),
    ]:
        patient = factories.PatientFactory.create(pathway=pathway)
        plan = services.plan_from_protocol(
            patient=patient, protocol=Protocol.objects.get(slug=slug), created_by=None
        )
        prescriptions = Prescription.objects.filter(phase__plan=plan).select_related(
            "exercise", "phase__plan"
        )
        assert prescriptions.count() > 10
        warnings = [
            rx.exercise.slug
            for rx in prescriptions
            if guardrails.guardrail_warning(exercise=rx.exercise, phase=rx.phase)
        ]
        assert warnings == [], slug
        services.plan_activate(plan=plan, activated_by=None, expected_version=plan.version)


def test_the_seeded_standing_calf_stretch_in_week_two_needs_a_reason(seeded: None) -> None:
    stretch = Exercise.objects.get(slug="standing-gastrocnemius-stretch")
    plan = _draft()
    week_two = _phase(plan, start=2, end=6)
    with pytest.raises(ValidationError) as excinfo:
        services.prescription_add(phase=week_two, exercise=stretch, expected_version=plan.version)
    assert "guardrail_reason" in excinfo.value.message_dict
    assert "week 12" in excinfo.value.message_dict["guardrail_reason"][0]
    assert not Prescription.objects.exists()


def _in_week_3(pathway: str) -> PlanPhase:
    """The current phase (weeks 0–6) of an active plan of a patient now in week 3."""
    injured = timezone.localdate() - dt.timedelta(weeks=3, days=1)
    patient = factories.PatientFactory.create(
        pathway=pathway,
        injury_date=injured,
        surgery_date=injured if pathway == Patient.Pathway.OPERATIVE else None,
    )
    _plan, (phase,) = factories.active_plan(patient, phases=1, weeks=6)
    return phase


def test_the_seeded_ankle_movement_to_neutral_needs_a_reason_in_non_operative_week_3(
    seeded: None,
) -> None:
    """clinical.md §2: without surgery, weeks 2–6 limit active ankle movement to the boot's
    angle (its own exercise), not to neutral; movement to neutral is safe from week 6, when the
    foot is flat in the boot. It was open from week 2 on both pathways."""
    to_neutral = Exercise.objects.get(slug="ankle-active-motion-to-neutral")
    phase = _in_week_3(Patient.Pathway.NON_OPERATIVE)
    with pytest.raises(ValidationError) as excinfo:
        services.prescription_add(phase=phase, exercise=to_neutral)
    assert "week 6" in excinfo.value.message_dict["guardrail_reason"][0]
    boot_angle = Exercise.objects.get(slug="ankle-active-motion-to-boot-angle")
    assert services.prescription_add(phase=phase, exercise=boot_angle).guardrail_reason == ""
    # After surgery it stays the exercise of weeks 2–6.
    operative = _in_week_3(Patient.Pathway.OPERATIVE)
    assert services.prescription_add(phase=operative, exercise=to_neutral).guardrail_reason == ""


# --- Guardrails ------------------------------------------------------------------------------


def test_adding_an_exercise_before_its_earliest_week_needs_a_reason() -> None:
    plan = _draft()
    week_two = _phase(plan, start=2, end=6)
    stretch = _late_exercise(12)
    version = plan.version

    with pytest.raises(ValidationError) as excinfo:
        services.prescription_add(phase=week_two, exercise=stretch, expected_version=version)
    assert "week 12" in excinfo.value.message_dict["guardrail_reason"][0]
    with pytest.raises(ValidationError):
        services.prescription_add(
            phase=week_two, exercise=stretch, guardrail_reason="   ", expected_version=version
        )
    assert not Prescription.objects.exists()
    plan.refresh_from_db()
    assert plan.version == version  # a refused edit does not bump the version

    rx = services.prescription_add(
        phase=week_two,
        exercise=stretch,
        guardrail_reason=" Surgeon asked for early gentle stretching. ",
        expected_version=version,
    )
    assert rx.guardrail_reason == "Surgeon asked for early gentle stretching."
    assert (rx.sets, rx.reps, rx.hold_seconds) == (3, None, 30)  # the default dose
    plan.refresh_from_db()
    assert plan.version == version + 1


def test_no_reason_is_kept_where_none_is_needed() -> None:
    plan = _draft()
    _phase(plan, start=0, end=12, order=1)  # the phase activation starts the patient in
    week_twelve = _phase(plan, start=12, end=16, order=2)
    rx = services.prescription_add(
        phase=week_twelve,
        exercise=_late_exercise(12),
        guardrail_reason="Not needed",
        expected_version=plan.version,
    )
    assert rx.guardrail_reason == ""


def test_the_non_operative_pathway_uses_its_own_earliest_week() -> None:
    plan = _draft(factories.PatientFactory.create(pathway=Patient.Pathway.NON_OPERATIVE))
    phase = _phase(plan, start=14, end=18)
    with pytest.raises(ValidationError):  # non-operative: week 16
        services.prescription_add(
            phase=phase, exercise=_late_exercise(12), expected_version=plan.version
        )


def test_moving_a_phase_start_earlier_rechecks_its_exercises() -> None:
    plan = _draft()
    _phase(plan, start=0, end=8, order=1)  # the phase activation starts the patient in
    phase = _phase(plan, start=12, end=16, order=2, name="Strength")
    stretch = services.prescription_add(
        phase=phase, exercise=_late_exercise(12), expected_version=plan.version
    )
    safe = services.prescription_add(
        phase=phase, exercise=factories.ExerciseFactory.create(), expected_version=plan.version
    )
    values = {"name": "Strength", "start_week": 8, "end_week": 16}

    with pytest.raises(ValidationError) as excinfo:
        services.phase_update(phase=phase, **values, expected_version=plan.version)
    assert "Standing calf stretch" in excinfo.value.message_dict["start_week"][0]
    phase.refresh_from_db()
    assert phase.start_week == 12

    services.phase_update(
        phase=phase,
        **values,
        guardrail_reasons={stretch.pk: "Athlete, cleared by the surgeon"},
        expected_version=plan.version,
    )
    phase.refresh_from_db()
    stretch.refresh_from_db()
    safe.refresh_from_db()
    assert phase.start_week == 8
    assert stretch.guardrail_reason == "Athlete, cleared by the surgeon"
    assert safe.guardrail_reason == ""
    plan.refresh_from_db()

    # Earlier still: the reason must be confirmed again.
    with pytest.raises(ValidationError):
        services.phase_update(
            phase=phase, **{**values, "start_week": 4}, expected_version=plan.version
        )
    # Later: no reason asked for.
    services.phase_update(
        phase=phase, **{**values, "start_week": 10}, expected_version=plan.version
    )


def test_guardrail_reasons_needed() -> None:
    plan = _draft()
    phase = _phase(plan, start=12, end=16)
    with_reason = factories.PrescriptionFactory.create(
        phase=phase, exercise=_late_exercise(10), guardrail_reason="ok"
    )
    without = factories.PrescriptionFactory.create(phase=phase, exercise=_late_exercise(14))
    retired = factories.PrescriptionFactory.create(
        phase=phase, exercise=_late_exercise(14), retired_at=timezone.now()
    )
    rxs = [with_reason, without, retired]

    def needed(start: int, old: int) -> list[int]:
        return [
            rx.pk
            for rx, _w in guardrails.guardrail_reasons_needed(
                prescriptions=rxs, pathway=plan.pathway, start_week=start, old_start_week=old
            )
        ]

    assert needed(12, 12) == [without.pk]  # unchanged: only the one without a reason
    assert needed(8, 12) == [with_reason.pk, without.pk]  # earlier: all that warn
    assert needed(14, 12) == []


def test_activation_refuses_an_early_exercise_without_a_reason() -> None:
    plan = _draft()
    phase = _phase(plan, start=0, end=20)
    factories.PrescriptionFactory.create(phase=phase, exercise=_late_exercise(12))
    with pytest.raises(ValidationError, match="Standing calf stretch"):
        services.plan_activate(plan=plan, activated_by=None, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


# --- Editing -------------------------------------------------------------------------------


def test_every_edit_refuses_a_stale_version_and_saves_nothing() -> None:
    plan = _draft()
    phase = _phase(plan, start=0, end=4, name="One")
    rx = factories.PrescriptionFactory.create(phase=phase, sets=3)
    stale = plan.version
    services.plan_rename(plan=plan, name="Changed by a colleague", expected_version=stale)

    attempts = [
        lambda: services.plan_rename(plan=plan, name="Mine", expected_version=stale),
        lambda: services.phase_add(
            plan=plan, name="New", start_week=4, end_week=8, expected_version=stale
        ),
        lambda: services.phase_update(
            phase=phase, name="Mine", start_week=0, end_week=4, expected_version=stale
        ),
        lambda: services.phase_remove(phase=phase, expected_version=stale),
        lambda: services.phase_move(phase=phase, direction="down", expected_version=stale),
        lambda: services.prescription_add(
            phase=phase, exercise=factories.ExerciseFactory.create(), expected_version=stale
        ),
        lambda: services.prescription_update(
            prescription=rx,
            sets=5,
            reps=10,
            hold_seconds=None,
            times_per_day=1,
            days_per_week=7,
            side="injured",
            expected_version=stale,
        ),
        lambda: services.prescription_move(prescription=rx, direction="up", expected_version=stale),
        lambda: services.prescription_remove(prescription=rx, expected_version=stale),
        lambda: services.plan_activate(plan=plan, activated_by=None, expected_version=stale),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=STALE):
            attempt()
    plan.refresh_from_db()
    phase.refresh_from_db()
    rx.refresh_from_db()
    assert (plan.name, plan.status, plan.version) == ("Changed by a colleague", "draft", stale + 1)
    assert (phase.name, rx.sets) == ("One", 3)
    assert plan.phases.count() == 1
    assert Prescription.objects.count() == 1


def test_a_completed_plan_cannot_be_edited() -> None:
    plan = factories.PlanFactory.create(status=Plan.Status.COMPLETED)
    phase = _phase(plan, start=0, end=4)
    with pytest.raises(ValidationError, match="completed"):
        services.phase_add(
            plan=plan, name="x", start_week=4, end_week=8, expected_version=plan.version
        )
    with pytest.raises(ValidationError, match="completed"):
        services.prescription_add(
            phase=phase, exercise=factories.ExerciseFactory.create(), expected_version=plan.version
        )


def test_plan_rename() -> None:
    plan = _draft()
    services.plan_rename(plan=plan, name="  Left Achilles  ", expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.name == "Left Achilles"
    with pytest.raises(ValidationError):
        services.plan_rename(plan=plan, name="  ", expected_version=plan.version)


def test_phase_add_puts_it_last_and_checks_the_weeks() -> None:
    plan = _draft()
    _phase(plan, start=0, end=2, order=7)
    phase = services.phase_add(
        plan=plan,
        name=" Late ",
        start_week=2,
        end_week=6,
        exit_criteria="Walks",
        expected_version=plan.version,
    )
    assert (phase.name, phase.order, phase.exit_criteria) == ("Late", 8, "Walks")
    with pytest.raises(ValidationError) as excinfo:
        services.phase_add(
            plan=plan, name="Bad", start_week=6, end_week=6, expected_version=plan.version
        )
    assert "end_week" in excinfo.value.message_dict
    assert plan.phases.count() == 2


def test_phase_update_changes_every_field() -> None:
    plan = _draft()
    phase = _phase(plan, start=0, end=2)
    values = {
        "name": "Boot",
        "start_week": 1,
        "end_week": 5,
        "goals": "g",
        "precautions": "p",
        "weight_bearing": "wb",
        "boot": "b",
        "wedges": "w",
        "exit_criteria": "e",
    }
    services.phase_update(phase=phase, **values, expected_version=plan.version)
    phase.refresh_from_db()
    assert {k: getattr(phase, k) for k in values} == values
    with pytest.raises(ValidationError) as excinfo:
        services.phase_update(
            phase=phase, **{**values, "end_week": 1}, expected_version=plan.version
        )
    assert "end_week" in excinfo.value.message_dict


def test_a_phase_with_logs_is_never_removed_and_its_logs_are_kept() -> None:
    plan = factories.PlanFactory.create()
    phase = _phase(plan, start=0, end=4)
    log = factories.ExerciseLogFactory.create(prescription__phase=phase)
    with pytest.raises(ValidationError, match="logged"):
        services.phase_remove(phase=phase, expected_version=plan.version)
    assert PlanPhase.objects.filter(pk=phase.pk).exists()
    assert ExerciseLog.objects.filter(pk=log.pk).exists()


def test_a_phase_with_retired_logged_exercises_is_not_removed_either() -> None:
    plan = factories.PlanFactory.create()
    phase = _phase(plan, start=0, end=4)
    log = factories.ExerciseLogFactory.create(prescription__phase=phase)
    services.prescription_remove(prescription=log.prescription, expected_version=plan.version)
    with pytest.raises(ValidationError, match="logged"):
        services.phase_remove(phase=phase, expected_version=plan.version)


def test_the_current_phase_of_an_active_plan_is_not_removed() -> None:
    plan = factories.PlanFactory.create()
    phase = _phase(plan, start=0, end=4)
    plan.current_phase = phase
    plan.save()
    with pytest.raises(ValidationError, match="current phase"):
        services.phase_remove(phase=phase, expected_version=plan.version)


def test_a_phase_in_the_history_is_not_removed() -> None:
    plan = factories.PlanFactory.create()
    old, new = _phase(plan, start=0, end=4, order=1), _phase(plan, start=4, end=8, order=2)
    PhaseChange.objects.create(plan=plan, to_phase=old, effective_on=timezone.localdate())
    plan.current_phase = new
    plan.save()
    with pytest.raises(ValidationError, match="history"):
        services.phase_remove(phase=old, expected_version=plan.version)


def test_phase_remove_deletes_the_phase_and_its_unlogged_exercises() -> None:
    plan = _draft()
    first = _phase(plan, start=0, end=2, order=1)
    second = _phase(plan, start=2, end=4, order=2)
    third = _phase(plan, start=4, end=6, order=3)
    factories.PrescriptionFactory.create_batch(2, phase=second)
    services.phase_remove(phase=second, expected_version=plan.version)
    assert list(plan.phases.order_by("order").values_list("pk", "order")) == [
        (first.pk, 1),
        (third.pk, 2),
    ]
    assert not Prescription.objects.exists()


def test_phase_move() -> None:
    plan = _draft()
    a, b, c = (_phase(plan, start=n, end=n + 1, order=n) for n in range(3))
    services.phase_move(phase=c, direction="up", expected_version=plan.version)
    assert list(plan.phases.order_by("order").values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    services.phase_move(phase=a, direction="down", expected_version=plan.version)
    assert list(plan.phases.order_by("order").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    with pytest.raises(ValidationError, match="first"):
        services.phase_move(phase=c, direction="up", expected_version=plan.version)
    with pytest.raises(ValidationError, match="last"):
        services.phase_move(phase=b, direction="down", expected_version=plan.version)
    with pytest.raises(ValidationError):
        services.phase_move(phase=b, direction="sideways", expected_version=plan.version)


def _dose(**overrides: Any) -> dict[str, Any]:
    return {
        "sets": 2,
        "reps": 12,
        "hold_seconds": 3,
        "times_per_day": 2,
        "days_per_week": 5,
        "side": "each",
        "note": "Slowly",
        **overrides,
    }


def test_prescription_update_changes_the_dose_and_note() -> None:
    plan = _draft()
    rx = factories.PrescriptionFactory.create(phase=_phase(plan, start=0, end=4))
    services.prescription_update(prescription=rx, **_dose(), expected_version=plan.version)
    rx.refresh_from_db()
    assert (rx.sets, rx.reps, rx.hold_seconds, rx.times_per_day, rx.days_per_week) == (
        2,
        12,
        3,
        2,
        5,
    )
    assert (rx.side, rx.note) == ("each", "Slowly")


@pytest.mark.parametrize(
    ("field", "value"),
    [("sets", 0), ("sets", 21), ("reps", 101), ("hold_seconds", 601), ("days_per_week", 8)],
)
def test_prescription_update_refuses_a_dose_out_of_range(field: str, value: int) -> None:
    plan = _draft()
    rx = factories.PrescriptionFactory.create(phase=_phase(plan, start=0, end=4), sets=3)
    with pytest.raises(ValidationError) as excinfo:
        services.prescription_update(
            prescription=rx, **_dose(**{field: value}), expected_version=plan.version
        )
    assert field in excinfo.value.message_dict
    rx.refresh_from_db()
    assert rx.sets == 3


def test_prescription_update_needs_reps_or_a_hold() -> None:
    plan = _draft()
    rx = factories.PrescriptionFactory.create(phase=_phase(plan, start=0, end=4))
    with pytest.raises(ValidationError, match="repetitions, a hold time or a duration"):
        services.prescription_update(
            prescription=rx,
            **_dose(reps=None, hold_seconds=None),
            expected_version=plan.version,
        )


def test_prescription_update_keeps_the_guardrail_reason_required() -> None:
    plan = _draft()
    rx = factories.PrescriptionFactory.create(
        phase=_phase(plan, start=2, end=6), exercise=_late_exercise(12), guardrail_reason="ok"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.prescription_update(
            prescription=rx, **_dose(), guardrail_reason=" ", expected_version=plan.version
        )
    assert "guardrail_reason" in excinfo.value.message_dict
    services.prescription_update(
        prescription=rx, **_dose(), guardrail_reason="new reason", expected_version=plan.version
    )
    rx.refresh_from_db()
    assert rx.guardrail_reason == "new reason"


def test_a_retired_prescription_cannot_be_edited_or_moved() -> None:
    plan = factories.PlanFactory.create()
    rx = factories.PrescriptionFactory.create(
        phase=_phase(plan, start=0, end=4), retired_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="retired"):
        services.prescription_update(prescription=rx, **_dose(), expected_version=plan.version)
    with pytest.raises(ValidationError, match="retired"):
        services.prescription_move(prescription=rx, direction="up", expected_version=plan.version)


def test_prescription_move_reorders_the_live_exercises() -> None:
    plan = _draft()
    phase = _phase(plan, start=0, end=4)
    a, b, c = (factories.PrescriptionFactory.create(phase=phase, order=n) for n in range(3))
    services.prescription_move(prescription=c, direction="up", expected_version=plan.version)
    order = list(phase.prescriptions.order_by("order").values_list("pk", flat=True))
    assert order == [a.pk, c.pk, b.pk]
    with pytest.raises(ValidationError, match="first"):
        services.prescription_move(prescription=a, direction="up", expected_version=plan.version)


def test_prescription_move_to_phase_checks_the_guardrail() -> None:
    plan = _draft()
    late = _phase(plan, start=12, end=16, order=2)
    early = _phase(plan, start=2, end=6, order=1)
    rx = factories.PrescriptionFactory.create(phase=late, exercise=_late_exercise(12))
    with pytest.raises(ValidationError) as excinfo:
        services.prescription_move_to_phase(
            prescription=rx, phase=early, expected_version=plan.version
        )
    assert "guardrail_reason" in excinfo.value.message_dict
    rx.refresh_from_db()
    assert rx.phase == late
    moved = services.prescription_move_to_phase(
        prescription=rx, phase=early, guardrail_reason="why", expected_version=plan.version
    )
    assert moved.pk == rx.pk
    assert (moved.phase, moved.guardrail_reason) == (early, "why")


def test_moving_a_logged_prescription_retires_it_and_places_a_copy() -> None:
    plan = factories.PlanFactory.create()
    here = _phase(plan, start=0, end=4, order=1)
    there = _phase(plan, start=4, end=8, order=2)
    log = factories.ExerciseLogFactory.create(prescription__phase=here, prescription__sets=4)
    rx = log.prescription
    copy = services.prescription_move_to_phase(
        prescription=rx, phase=there, expected_version=plan.version
    )
    rx.refresh_from_db()
    assert rx.retired_at is not None
    assert rx.phase == here
    assert (copy.phase, copy.exercise, copy.sets, copy.retired_at) == (
        there,
        rx.exercise,
        4,
        None,
    )
    assert ExerciseLog.objects.get().prescription == rx


def test_prescription_remove_retires_a_logged_one_and_keeps_its_logs() -> None:
    plan = factories.PlanFactory.create()
    phase = _phase(plan, start=0, end=4)
    log = factories.ExerciseLogFactory.create(prescription__phase=phase)
    unlogged = factories.PrescriptionFactory.create(phase=phase)
    assert (
        services.prescription_remove(prescription=log.prescription, expected_version=plan.version)
        is False
    )
    log.prescription.refresh_from_db()
    assert log.prescription.retired_at is not None
    assert ExerciseLog.objects.filter(pk=log.pk).exists()
    assert (
        services.prescription_remove(prescription=unlogged, expected_version=plan.version) is True
    )
    assert not Prescription.objects.filter(pk=unlogged.pk).exists()


# --- Activation and progression ------------------------------------------------------------


def test_activate_a_draft_starts_the_phase_for_this_week() -> None:
    patient = factories.PatientFactory.create(
        injury_date=timezone.localdate() - dt.timedelta(days=40)
    )
    plan = _draft(patient)
    _phase(plan, start=0, end=2, order=1)
    second = _phase(plan, start=2, end=12, order=2)
    user = factories.UserFactory.create()
    services.plan_activate(plan=plan, activated_by=user, expected_version=plan.version)
    plan.refresh_from_db()
    assert (plan.status, plan.current_phase) == ("active", second)
    change = PhaseChange.objects.get()
    assert (change.from_phase, change.to_phase, change.changed_by) == (None, second, user)


def test_a_second_active_plan_is_refused() -> None:
    patient = factories.PatientFactory.create()
    factories.PlanFactory.create(patient=patient, status=Plan.Status.ACTIVE)
    plan = _draft(patient)
    _phase(plan, start=0, end=4)
    with pytest.raises(ValidationError, match="already has an active plan"):
        services.plan_activate(plan=plan, activated_by=None, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_advance_and_back_record_who_and_when() -> None:
    plan = factories.PlanFactory.create()
    first = _phase(plan, start=0, end=4, order=1)
    second = _phase(plan, start=4, end=8, order=2)
    plan.current_phase = first
    plan.save()
    user = factories.UserFactory.create()

    services.plan_advance_phase(plan=plan, changed_by=user, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.current_phase == second
    change = PhaseChange.objects.get()
    assert (change.from_phase, change.to_phase, change.changed_by) == (first, second, user)
    assert change.effective_on == plan.patient.local_today()

    with pytest.raises(ValidationError, match="last phase"):
        services.plan_advance_phase(plan=plan, changed_by=user, expected_version=plan.version)
    services.plan_previous_phase(plan=plan, changed_by=user, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.current_phase == first
    assert PhaseChange.objects.count() == 2
    with pytest.raises(ValidationError, match="first phase"):
        services.plan_previous_phase(plan=plan, changed_by=user, expected_version=plan.version)


def test_a_corrected_pathway_is_followed_by_the_plan(clinician: Clinician) -> None:
    """plans_follow_anchor re-dates the plans after a corrected pathway but leaves
    Plan.pathway as it was: the builder, the overview and the API still say 'Operative' for a
    non-operative patient, and 'save as template' files the plan under the wrong pathway."""
    patient = factories.PatientFactory(clinic=clinician.clinic)
    plan = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    assert plan.pathway == Patient.Pathway.OPERATIVE
    patient_services.patient_update(
        patient=patient, pathway=Patient.Pathway.NON_OPERATIVE, surgery_date=None
    )
    plan.refresh_from_db()
    assert plan.anchor_date == patient.anchor_date  # re-dated: the correction was followed
    assert plan.pathway == Patient.Pathway.NON_OPERATIVE


def test_a_corrected_surgery_date_keeps_the_past_days_the_patient_was_asked_to_exercise() -> None:
    scene = daily_plan(per_week=3, started_days_ago=30, prescribed_days_ago=35)
    first, last = scene.today - dt.timedelta(days=14), scene.today - dt.timedelta(days=1)
    day = first
    while day <= last:  # every day Today showed it as due, done
        if is_due_on(days_per_week=3, anchor=scene.plan.anchor_date, day=day):
            factories.ExerciseLogFactory(prescription=scene.rx, date=day)
        day += dt.timedelta(days=1)
    before = selectors.adherence_for_patient(scene.patient, start=first, end=last)
    assert before.percent == 100
    surgery = scene.patient.surgery_date
    assert surgery is not None
    patient_services.patient_update(
        patient=scene.patient, surgery_date=surgery - dt.timedelta(days=1)
    )
    after = selectors.adherence_for_patient(scene.patient, start=first, end=last)
    assert (after.done, after.expected) == (before.done, before.expected)
    # The clinic-wide count (dashboard, outcomes) and Today keep the same days of the week.
    plans = Plan.objects.filter(pk=scene.plan.pk)
    totals = judged_adherence_totals(plans, days=14)[scene.patient.pk]
    assert totals.percent == 100
    scene.plan.refresh_from_db()
    assert scene.plan.anchor_date == scene.patient.anchor_date  # the weeks follow the correction
    for day in (scene.today, scene.today + dt.timedelta(days=1)):
        due = is_due_on(days_per_week=3, anchor=surgery, day=day)
        today = selectors.today_for_patient(scene.patient, day=day)
        assert [item.due for item in today.items] == [due]


def test_a_corrected_date_moves_a_drafts_due_days_with_it() -> None:
    """A draft asked nothing yet: its due days count from the corrected date."""
    scene = daily_plan(per_week=3)
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.DRAFT)
    surgery = scene.patient.surgery_date
    assert surgery is not None
    patient_services.patient_update(
        patient=scene.patient, surgery_date=surgery - dt.timedelta(days=1)
    )
    scene.plan.refresh_from_db()
    assert scene.plan.due_days_from is None
    assert scene.plan.due_days_anchor == surgery - dt.timedelta(days=1)


# --- A refusal naming an exercise with "%" in its name (from review) -------------------------

# An exercise name with "%" in it: the refusal naming it once answered 500 (its message was
# formatted, then formatted again with its params when shown).
PERCENT_NAME = "Heel raise to 90% height"


def _week_3_patient(clinician: Clinician) -> Patient:
    return factories.PatientFactory(
        clinic=clinician.clinic,
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=timezone.localdate() - dt.timedelta(weeks=3, days=1),
        surgery_date=None,
    )


def _early_exercise():
    return factories.ExerciseFactory(
        name=PERCENT_NAME, earliest_week_operative=12, earliest_week_non_operative=12
    )


@pytest.mark.django_db
def test_activation_refusal_names_the_exercise_instead_of_a_500() -> None:
    clinician = factories.ClinicianFactory()
    plan = factories.PlanFactory(patient=_week_3_patient(clinician), status=Plan.Status.DRAFT)
    phase = factories.PlanPhaseFactory(plan=plan, order=1, start_week=0, end_week=10)
    factories.PrescriptionFactory(phase=phase, exercise=_early_exercise())
    client = Client(raise_request_exception=False)
    client.force_login(clinician.user)
    response = client.post(
        reverse("rehab:plan_activate", args=[plan.pk]), {"version": plan.version}, follow=True
    )
    assert response.status_code == 200
    assert PERCENT_NAME in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


@pytest.mark.django_db
def test_api_advance_refusal_is_a_400_not_a_500() -> None:
    clinician = factories.ClinicianFactory()
    plan, phases = factories.active_plan(_week_3_patient(clinician), phases=2, weeks=2)
    factories.PrescriptionFactory(phase=phases[1], exercise=_early_exercise())
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(clinician.user)
    response = client.post(
        f"/api/v1/plans/{opaque(plan.pk)}/advance/", {"version": plan.version}, format="json"
    )
    assert response.status_code == 400
    assert PERCENT_NAME in response.content.decode()


@pytest.mark.django_db
def test_date_correction_refusal_is_shown_not_a_500() -> None:
    clinician = factories.ClinicianFactory()
    patient = factories.PatientFactory(
        clinic=clinician.clinic,
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=timezone.localdate() - dt.timedelta(weeks=13),
        surgery_date=None,
    )
    plan = factories.PlanFactory(patient=patient)
    phase = factories.PlanPhaseFactory(plan=plan, order=1, start_week=0, end_week=52)
    plan.current_phase = phase
    plan.save()
    PhaseChange.objects.create(plan=plan, to_phase=phase, effective_on=plan.anchor_date)
    factories.PrescriptionFactory(phase=phase, exercise=_early_exercise())  # week 13: safe
    client = Client(raise_request_exception=False)
    client.force_login(clinician.user)
    corrected = timezone.localdate() - dt.timedelta(weeks=3)  # now week 3: too early
    response = client.post(
        reverse("clinic:patient_edit", args=[patient.pk]),
        factories.patient_form_data(
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            pathway="non_operative",
            injury_date=corrected.isoformat(),
            surgery_date="",
            injured_side="left",
        ),
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert PERCENT_NAME in response.content.decode()
    patient.refresh_from_db()
    assert patient.injury_date != corrected


def test_a_plan_from_a_template_leaves_out_an_archived_exercise_and_older_plans_keep_it() -> None:
    """Archiving a clinic's exercise means "no longer offered for new plans": a new plan from a
    template that holds it leaves it out; a plan made before keeps it as prescribed."""
    clinic = factories.ClinicFactory.create()
    protocol = factories.ProtocolFactory.create(clinic=clinic)
    phase = factories.ProtocolPhaseFactory.create(protocol=protocol, start_week=0, end_week=4)
    kept = factories.ProtocolItemFactory.create(phase=phase, order=1)
    archived = factories.ProtocolItemFactory.create(
        phase=phase, order=2, exercise=factories.ExerciseFactory.create(clinic=clinic)
    )
    before = services.plan_from_protocol(
        patient=factories.PatientFactory.create(clinic=clinic), protocol=protocol, created_by=None
    )
    library_services.clinic_exercise_archive(exercise=archived.exercise)

    plan = services.plan_from_protocol(
        patient=factories.PatientFactory.create(clinic=clinic), protocol=protocol, created_by=None
    )

    assert [rx.exercise for rx in Prescription.objects.filter(phase__plan=plan)] == [kept.exercise]
    assert selectors.protocol_exercises_not_offered(protocol) == [archived.exercise]
    assert {rx.exercise for rx in Prescription.objects.filter(phase__plan=before)} == {
        kept.exercise,
        archived.exercise,
    }
