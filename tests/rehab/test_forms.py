"""The plan builder's forms: range errors on the fields, guardrail reasons, the version."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from clinic.models import Patient
from rehab.forms.builder import (
    DirectionForm,
    DoseForm,
    PhaseForm,
    PlanCreateForm,
    PlanRenameForm,
    PrescriptionAddForm,
    PrescriptionMovePhaseForm,
    VersionForm,
)
from rehab.forms.criteria import CriterionForm
from rehab.forms.library import LibraryFilterForm
from rehab.forms.protocols import SaveAsTemplateForm
from rehab.guardrails import guardrail_warning
from rehab.models import Exercise, Plan, PlanPhase, Protocol
from tests import factories
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES, VISIBLE_NAMES

pytestmark = pytest.mark.django_db


def _query(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = "" if value is None else str(value)
    return query


@pytest.fixture
def plan() -> Plan:
    return factories.PlanFactory.create(status=Plan.Status.DRAFT)


@pytest.fixture
def late_exercise() -> Exercise:
    return factories.ExerciseFactory.create(
        name="Standing calf stretch",
        earliest_week_operative=12,
        earliest_week_non_operative=16,
        earliest_week_reason="Stretching <b>early</b> risks lengthening the tendon.",
        earliest_week_source="Table E-1",
    )


def _phase_data(prefix: str, **overrides: Any) -> dict[str, Any]:
    data = {"version": 1, "name": "Boot", "start_week": 2, "end_week": 6, **overrides}
    return {f"{prefix}-{key}": value for key, value in data.items()}


def test_version_form_requires_the_version() -> None:
    form = VersionForm({})
    assert not form.is_valid()
    assert "out of date" in form.errors["version"][0]
    assert VersionForm({"version": "3"}).is_valid()
    assert not VersionForm({"version": "x"}).is_valid()


def test_direction_form() -> None:
    assert DirectionForm({"version": 1, "direction": "up"}).is_valid()
    assert not DirectionForm({"version": 1, "direction": "left"}).is_valid()


def test_plan_create_form_offers_only_the_given_templates() -> None:
    operative = factories.ProtocolFactory.create(pathway=Patient.Pathway.OPERATIVE, version="2")
    other = factories.ProtocolFactory.create(pathway=Patient.Pathway.NON_OPERATIVE)
    protocols = Protocol.objects.filter(pathway=Patient.Pathway.OPERATIVE)
    form = PlanCreateForm({"template": operative.pk, "name": ""}, protocols=protocols)
    assert form.is_valid()
    assert form.cleaned_data["template"] == operative
    assert "(version 2)" in str(form["template"])
    assert not PlanCreateForm({"template": other.pk}, protocols=protocols).is_valid()
    blank = PlanCreateForm({"template": "", "name": "Mine"}, protocols=protocols)
    assert blank.is_valid()
    assert blank.cleaned_data["template"] is None


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_the_name_forms_refuse_a_name_of_only_invisible_characters(name: str) -> None:
    forms = [
        PlanCreateForm({"template": "", "name": name}, protocols=Protocol.objects.none()),
        PlanRenameForm({"version": 1, "name": name}),
        SaveAsTemplateForm({"name": name}),
    ]
    for form in forms:
        assert form.errors == {"name": [INVISIBLE_MESSAGE]}, type(form).__name__


@pytest.mark.parametrize("name", VISIBLE_NAMES)
def test_the_name_forms_take_a_name_with_a_visible_letter(name: str) -> None:
    forms = [
        PlanCreateForm({"template": "", "name": name}, protocols=Protocol.objects.none()),
        PlanRenameForm({"version": 1, "name": name}),
        SaveAsTemplateForm({"name": name}),
    ]
    for form in forms:
        assert form.is_valid(), (type(form).__name__, form.errors)
        assert form.cleaned_data["name"] == name


def test_phase_form_end_week_must_be_after_start_week(plan: Plan) -> None:
    form = PhaseForm(
        _query(_phase_data("p", start_week=6, end_week=6)),
        prefix="p",
        instance=PlanPhase(plan=plan),
        plan=plan,
    )
    assert not form.is_valid()
    assert form.errors["end_week"] == ["The end week must be after the start week."]


@pytest.mark.parametrize(("field", "value"), [("start_week", 105), ("end_week", 200)])
def test_phase_form_weeks_out_of_range(plan: Plan, field: str, value: int) -> None:
    form = PhaseForm(
        _query(_phase_data("p", **{field: value})),
        prefix="p",
        instance=PlanPhase(plan=plan),
        plan=plan,
    )
    assert not form.is_valid()
    assert field in form.errors


def test_phase_form_asks_for_reasons_when_the_start_week_moves_earlier(
    plan: Plan, late_exercise: Exercise
) -> None:
    phase = factories.PlanPhaseFactory.create(plan=plan, start_week=12, end_week=16)
    rx = factories.PrescriptionFactory.create(phase=phase, exercise=late_exercise)
    safe = factories.PrescriptionFactory.create(phase=phase)
    prefix = f"phase-{phase.pk}"
    data = _phase_data(prefix, start_week=4, end_week=16)

    first = PhaseForm(
        _query(data), prefix=prefix, instance=phase, plan=plan, prescriptions=[rx, safe]
    )
    assert [item[0] for item in first.guardrail_items] == [rx]
    assert f"guardrail_reason_{rx.pk}" in first.fields
    assert f"guardrail_reason_{safe.pk}" not in first.fields
    assert not first.is_valid()  # the warnings have not been shown yet
    assert "earliest safe week" in first.non_field_errors()[0]
    widget = first.fields[f"guardrail_reason_{rx.pk}"].widget
    assert widget.attrs["aria-describedby"] == f"id_{prefix}-guardrail_reason_{rx.pk}_warning"

    confirmed_without = PhaseForm(
        _query({**data, f"{prefix}-guardrail_confirm": "1"}),
        prefix=prefix,
        instance=phase,
        plan=plan,
        prescriptions=[rx, safe],
    )
    assert not confirmed_without.is_valid()
    assert f"guardrail_reason_{rx.pk}" in confirmed_without.errors

    confirmed = PhaseForm(
        _query(
            {
                **data,
                f"{prefix}-guardrail_confirm": "1",
                f"{prefix}-guardrail_reason_{rx.pk}": "Cleared by the surgeon",
            }
        ),
        prefix=prefix,
        instance=phase,
        plan=plan,
        prescriptions=[rx, safe],
    )
    assert confirmed.is_valid(), confirmed.errors
    assert confirmed.guardrail_reasons() == {rx.pk: "Cleared by the surgeon"}
    assert confirmed.phase_values()["start_week"] == 4


def test_phase_form_shows_an_existing_reason_for_confirmation(
    plan: Plan, late_exercise: Exercise
) -> None:
    phase = factories.PlanPhaseFactory.create(plan=plan, start_week=8, end_week=16)
    rx = factories.PrescriptionFactory.create(
        phase=phase, exercise=late_exercise, guardrail_reason="Earlier reason"
    )

    def edited(start_week: int) -> PhaseForm:
        prefix = f"phase-{phase.pk}"
        data = _query(_phase_data(prefix, start_week=start_week, end_week=16))
        return PhaseForm(data, prefix=prefix, instance=phase, plan=plan, prescriptions=[rx])

    form = edited(start_week=4)
    assert not form.is_valid()
    assert form[f"guardrail_reason_{rx.pk}"].value() == "Earlier reason"
    # Unchanged start week and a reason already given: nothing to ask.
    same = edited(start_week=8)
    assert same.is_valid(), same.errors
    assert same.guardrail_items == []


def _dose_data(prefix: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "version": 1,
        "sets": 3,
        "reps": 10,
        "hold_seconds": "",
        "times_per_day": 1,
        "days_per_week": 7,
        "side": "injured",
        "note": "",
        **overrides,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # In the therapist's terms ("At most 20 sets"), not the framework's.
        ("sets", 0, "At least 1 set."),
        ("sets", 21, "At most 20 sets."),
        ("reps", 101, "At most 100 reps a set."),
        ("hold_seconds", 601, "Hold at most 600 seconds."),
        ("times_per_day", 11, "At most 10 times a day."),
        ("days_per_week", 8, "At most 7 days a week."),
    ],
)
def test_dose_form_shows_range_errors_on_the_field(field: str, value: int, message: str) -> None:
    rx = factories.PrescriptionFactory.create()
    form = DoseForm(_query(_dose_data("rx", **{field: value})), prefix="rx", instance=rx)
    assert not form.is_valid()
    assert message in form.errors[field][0]
    rx.refresh_from_db()
    assert rx.sets == 3


def test_dose_form_needs_reps_or_a_hold() -> None:
    rx = factories.PrescriptionFactory.create()
    form = DoseForm(_query(_dose_data("rx", reps="", hold_seconds="")), prefix="rx", instance=rx)
    assert not form.is_valid()
    assert "repetitions, a hold time or a duration" in form.non_field_errors()[0]


def test_dose_form_asks_for_a_guardrail_reason_only_when_it_warns(
    plan: Plan, late_exercise: Exercise
) -> None:
    early = factories.PlanPhaseFactory.create(plan=plan, start_week=2, end_week=6)
    rx = factories.PrescriptionFactory.create(phase=early, exercise=late_exercise)
    warning = guardrail_warning(exercise=late_exercise, phase=early)
    form = DoseForm(_query(_dose_data("rx")), prefix="rx", instance=rx, warning=warning)
    assert not form.is_valid()
    assert "guardrail_reason" in form.errors
    help_text = form.fields["guardrail_reason"].help_text
    # Escaped here: the field template shows help text raw.
    assert "&lt;b&gt;early&lt;/b&gt;" in help_text
    assert "Table E-1" in help_text
    form = DoseForm(
        _query(_dose_data("rx", guardrail_reason="Why")),
        prefix="rx",
        instance=rx,
        warning=warning,
    )
    assert form.is_valid(), form.errors
    assert form.dose_values()["guardrail_reason"] == "Why"
    plain = DoseForm(_query(_dose_data("rx")), prefix="rx", instance=rx, warning=None)
    assert "guardrail_reason" not in plain.fields
    assert plain.is_valid()
    assert "guardrail_reason" not in plain.dose_values()


def test_prescription_add_form_warns_and_requires_a_reason(
    plan: Plan, late_exercise: Exercise
) -> None:
    early = factories.PlanPhaseFactory.create(plan=plan, start_week=2, end_week=6)
    late = factories.PlanPhaseFactory.create(plan=plan, start_week=12, end_week=16)
    phases = [early, late]
    exercises = Exercise.objects.all()
    data = {"version": 1, "exercise": late_exercise.pk, "phase": early.pk}

    form = PrescriptionAddForm(data, exercises=exercises, phases=phases)
    assert not form.is_valid()
    assert form.warning is not None
    assert "earliest safe week" not in form.errors["guardrail_reason"][0]  # the warning is apart
    assert "reason" in form.errors["guardrail_reason"][0]
    with_reason = PrescriptionAddForm(
        {**data, "guardrail_reason": "Why"}, exercises=exercises, phases=phases
    )
    assert with_reason.is_valid()
    assert with_reason.cleaned_data["phase"] == early
    assert with_reason.cleaned_data["exercise"] == late_exercise
    later = PrescriptionAddForm({**data, "phase": late.pk}, exercises=exercises, phases=phases)
    assert later.is_valid()
    assert later.warning is None


def test_prescription_add_form_refuses_an_exercise_or_phase_out_of_reach(plan: Plan) -> None:
    phase = factories.PlanPhaseFactory.create(plan=plan)
    other_phase = factories.PlanPhaseFactory.create()
    hidden = factories.ExerciseFactory.create(clinic=factories.ClinicFactory.create())
    visible = Exercise.objects.filter(clinic__isnull=True)
    form = PrescriptionAddForm(
        {"version": 1, "exercise": hidden.pk, "phase": phase.pk},
        exercises=visible,
        phases=[phase],
    )
    assert not form.is_valid()
    assert "exercise" in form.errors
    form = PrescriptionAddForm(
        {"version": 1, "exercise": factories.ExerciseFactory.create().pk, "phase": other_phase.pk},
        exercises=visible,
        phases=[phase],
    )
    assert not form.is_valid()
    assert "phase" in form.errors


def test_move_phase_form_offers_the_plan_phases(plan: Plan) -> None:
    a = factories.PlanPhaseFactory.create(plan=plan)
    b = factories.PlanPhaseFactory.create(plan=plan)
    form = PrescriptionMovePhaseForm({"version": 1, "phase": b.pk}, phases=[a, b])
    assert form.is_valid()
    assert form.cleaned_data["phase"] == b
    outsider = factories.PlanPhaseFactory.create()
    assert not PrescriptionMovePhaseForm(
        {"version": 1, "phase": outsider.pk}, phases=[a, b]
    ).is_valid()


def test_library_filter_form_values() -> None:
    equipment = factories.EquipmentFactory.create(slug="chair", name="Chair")
    form = LibraryFilterForm(
        {"q": "calf", "category": "stretch", "equipment": "chair"}, equipment=[equipment]
    )
    assert form.values() == {"q": "calf", "category": "stretch", "equipment": "chair"}
    bad = LibraryFilterForm({"category": "nonsense"}, equipment=[equipment])
    assert bad.values() == {"q": "", "category": "", "equipment": ""}


# --- the exit criterion form (rehab.forms.criteria) -----------------------------------------


def test_the_criterion_forms_n_says_what_a_negative_relative_atra_means() -> None:
    field = CriterionForm()["threshold"]
    help_text = str(field.help_text)
    # Relative ATRA is uninjured − injured; a negative one is the injured ankle resting more
    # dorsiflexed (a longer tendon); its criterion is met at N or above (rehab.measures).
    assert "relative ATRA" in help_text
    assert "more dorsiflexed" in help_text
    assert "-5 means no more than 5° more dorsiflexed" in help_text  # as N is typed
    assert "or above" in help_text
    # Read out with the field (the form's field group links it).
    html = str(field.as_field_group())
    assert 'aria-describedby="id_threshold_helptext"' in html
    assert 'id="id_threshold_helptext"' in html
