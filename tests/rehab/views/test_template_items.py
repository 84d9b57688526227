"""A template's exercise: a refused dose says which exercise and which field in the therapist's
terms, since the page answers with a message at its top, away from the form."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Clinician
from rehab import clinical
from rehab.forms.protocols import TemplateItemForm
from rehab.services import protocols as protocol_services
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_refused_dose_names_the_exercise_and_the_field(clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic, name="Our operative plan")
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=0, end_week=4)
    factories.ProtocolItemFactory(phase=phase, exercise__name="Straight-leg raise")
    draft = protocol_services.template_draft(protocol=protocol, created_by=clinician.user)
    item = draft.phases.get().items.get()
    prefix = f"item-{item.pk}"
    dose = {"sets": "0", "reps": "10", "times_per_day": "1", "days_per_week": "7"}
    page = client_for(clinician.user).post(
        reverse("rehab:template_item_edit", args=[item.pk]),
        {**{f"{prefix}-{k}": v for k, v in dose.items()}, f"{prefix}-side": "injured"},
        follow=True,
    )
    html = page.content.decode()
    # In the therapist's terms, as the plan's dose form says it.
    assert "Straight-leg raise – Sets: At least 1 set." in html
    item.refresh_from_db()
    assert item.sets != 0


def test_the_template_dose_inputs_have_the_doses_limits(clinician: Clinician) -> None:
    # The browser's inputs took 0 sets (the column's own minimum) where 1 is the least.
    item = factories.ProtocolItemFactory(phase__protocol__clinic=clinician.clinic)
    form = TemplateItemForm(instance=item, prefix="item")
    assert form["sets"].field.widget.attrs["min"] == 1
    assert form["sets"].field.widget.attrs["max"] == clinical.SETS_MAX
    assert 'min="1"' in str(form["days_per_week"])


def _picker_page(clinician: Clinician, phases: int) -> tuple[str, int, int]:
    """The draft's page (its HTML, its number of queries) and the first phase's pk."""
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    for order in range(1, phases + 1):
        factories.ProtocolPhaseFactory(
            protocol=protocol, order=order, start_week=order * 4, end_week=order * 4 + 4
        )
    draft = protocol_services.template_draft(protocol=protocol, created_by=clinician.user)
    client = client_for(clinician.user)
    url = reverse("rehab:template_detail", args=[draft.pk])
    client.get(url)  # the session and caches warmed
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return page.content.decode(), len(queries), draft.phases.order_by("order")[0].pk


def test_the_exercise_picker_groups_the_exercises_by_category(clinician: Clinician) -> None:
    # The picker listed every exercise in one run, category after category, with no heading.
    for name, category in (
        ("Calf raise", "strength"),
        ("Towel calf stretch", "stretch"),
        ("Single-leg stance", "balance"),
        ("Boot at night", "education"),
    ):
        factories.ExerciseFactory(name=name, category=category)
    factories.ExerciseFactory(
        name="Another clinic's", category="strength", clinic=factories.ClinicFactory()
    )
    html, _count, phase_pk = _picker_page(clinician, phases=1)
    select = html[html.index(f'name="add-{phase_pk}-exercise"') :]
    select = select[: select.index("</select>")]
    # Headings in the categories' order, each exercise under its own.
    assert [part.split('"')[0] for part in select.split('<optgroup label="')[1:]] == [
        "Stretch",
        "Strength",
        "Balance",
        "Education",
    ]
    strength = select.split('<optgroup label="Strength">')[1].split("</optgroup>")[0]
    assert "Calf raise" in strength
    assert "Towel calf stretch" not in strength
    assert "Another clinic's" not in select
    # Still labelled, with an empty first choice.
    assert f'<label for="id_add-{phase_pk}-exercise"' in html
    assert '<option value="" selected>' in select


def test_the_exercise_picker_is_read_once_however_many_phases(clinician: Clinician) -> None:
    factories.ExerciseFactory(category="strength")
    _html, one, _pk = _picker_page(clinician, phases=1)
    _html, three, _pk = _picker_page(clinician, phases=3)
    assert three == one


def test_an_exercise_chosen_in_the_grouped_picker_is_added(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(category="strength", earliest_week_operative=0)
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    factories.ProtocolPhaseFactory(protocol=protocol, start_week=0, end_week=4)
    draft = protocol_services.template_draft(protocol=protocol, created_by=clinician.user)
    phase = draft.phases.get()
    client_for(clinician.user).post(
        reverse("rehab:template_item_add", args=[phase.pk]),
        {f"add-{phase.pk}-exercise": str(exercise.pk)},
    )
    assert [item.exercise for item in phase.items.all()] == [exercise]
