"""The admin for the exercise library, protocol templates and (view-only) patient data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import User
from rehab.admin.logbook import ExerciseLogAdmin
from rehab.forms.library import LinesField, lines_to_list
from rehab.models import (
    Alert,
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    CriterionJudgement,
    Exercise,
    ExerciseLog,
    Measurement,
    PhaseChange,
    Plan,
    PlanCriterion,
    PlanHold,
    Prescription,
    ProposalDismissal,
    Protocol,
    ProtocolCriterion,
    ProtocolItem,
    ProtocolPhase,
)
from tests import factories
from tests.admin_helpers import admin_url, post_data_from
from tests.rehab.clinical_loop import published_early_items

pytestmark = pytest.mark.django_db


def exercise_add_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Seated heel raise",
        "slug": "seated-heel-raise",
        "category": Exercise.Category.STRENGTH,
        "summary": "Raise both heels while seated.",
        "steps": "1. Sit with feet flat.\r\n\r\n  Rise onto the toes.  \r\n- Lower slowly.\r\n",
        "cues": "Keep the knees still.",
        "safety_notes": "",
        "default_sets": "3",
        "default_reps": "10",
        "default_hold_seconds": "",
        "default_times_per_day": "1",
        "default_days_per_week": "7",
        "side": "both",
        "video_url": "",
        "video_start_seconds": "0",
        "earliest_week_operative": "2",
        "earliest_week_non_operative": "3",
        "earliest_week_reason": "",
        "earliest_week_source": "",
        "source": "Test source",
        "is_published": "on",
    }
    data.update(overrides)
    return data


# --- the lines field ----------------------------------------------------------------------


def test_lines_to_list_drops_blank_lines_numbers_and_bullets() -> None:
    text = "1. Stand tall.\n\n  2) Rise slowly. \n- Lower.\n• Rest 1.5 s.\n* Repeat."
    assert lines_to_list(text) == [
        "Stand tall.",
        "Rise slowly.",
        "Lower.",
        "Rest 1.5 s.",
        "Repeat.",
    ]


def test_lines_field_shows_a_list_one_item_per_line_and_is_unchanged_by_a_round_trip() -> None:
    field = LinesField()
    shown = field.prepare_value(["Stand tall.", "Rise slowly."])
    assert shown == "Stand tall.\nRise slowly."
    assert field.clean(shown) == ["Stand tall.", "Rise slowly."]
    assert not field.has_changed(["Stand tall.", "Rise slowly."], shown + "\n\n")


def test_lines_field_required_and_limits() -> None:
    field = LinesField(max_items=2, item_max_length=10)
    with pytest.raises(ValidationError):
        field.clean("\n \n")
    with pytest.raises(ValidationError, match="at most 2"):
        field.clean("a\nb\nc")
    with pytest.raises(ValidationError, match="Line 2 is too long"):
        field.clean("short\n" + "x" * 11)
    assert LinesField(required=False).clean("") == []


# --- exercises ----------------------------------------------------------------------------


def test_exercise_changelist(staff_client: Client) -> None:
    clinic = factories.ClinicFactory()
    factories.ExerciseFactory(name="Calf stretch", clinic=clinic)
    factories.ExerciseFactory(name="Heel raise")
    response = staff_client.get(admin_url(Exercise, "changelist"))
    assert response.status_code == 200
    assert b"Calf stretch" in response.content
    assert b"Shared library" in response.content


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=balance", "Single-leg balance", "Calf stretch"),
        ("q=wobble-board", "Single-leg balance", "Calf stretch"),
        ("category__exact=stretch", "Calf stretch", "Single-leg balance"),
        ("equipment__id__exact={equipment}", "Single-leg balance", "Calf stretch"),
        ("is_published__exact=0", "Calf stretch", "Single-leg balance"),
        ("clinic__isnull=True", "Single-leg balance", "Calf stretch"),
        ("clinic__id__exact={clinic}", "Calf stretch", "Single-leg balance"),
        ("from_video__exact=1", "Single-leg balance", "Calf stretch"),
    ],
)
def test_exercise_changelist_search_and_filters(
    staff_client: Client, query: str, shown: str, hidden: str
) -> None:
    clinic = factories.ClinicFactory()
    board = factories.EquipmentFactory(name="Wobble board", slug="wobble-board")
    balance = factories.ExerciseFactory(
        name="Single-leg balance",
        slug="wobble-board-balance",
        category=Exercise.Category.BALANCE,
        from_video=True,
    )
    balance.equipment.add(board)
    factories.ExerciseFactory(
        name="Calf stretch", category=Exercise.Category.STRETCH, clinic=clinic, is_published=False
    )
    url = (
        admin_url(Exercise, "changelist") + "?" + query.format(equipment=board.pk, clinic=clinic.pk)
    )
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert [str(e) for e in response.context["cl"].result_list] == [shown]
    assert hidden not in [str(e) for e in response.context["cl"].result_list]


def test_exercise_changelist_queries_do_not_grow_with_rows(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    previous = None
    for _ in range(30):  # each row with its own clinic and next level
        previous = factories.ExerciseFactory(
            clinic=factories.ClinicFactory(), progresses_to=previous
        )
    # 1. session, 2. user, 3. equipment filter choices, 4. clinic filter choices,
    # 5. count (filtered), 6. count (all), 7. the page of exercises joined to clinic and
    # progresses_to. The list_editable formset reuses the page: no query per row.
    with django_assert_max_num_queries(7):
        response = staff_client.get(admin_url(Exercise, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30


def test_exercise_add_page(staff_client: Client) -> None:
    response = staff_client.get(admin_url(Exercise, "add"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "One step per line" in content
    assert "Save the exercise to see a preview" in content
    for legend in ("Basics", "Instructions", "Default dose", "Video link", "Guardrail"):
        assert legend in content


def test_exercise_add_creates_it_with_the_steps_one_per_line(staff_client: Client) -> None:
    band = factories.EquipmentFactory(name="Band", slug="band")
    response = staff_client.post(admin_url(Exercise, "add"), exercise_add_data(equipment=[band.pk]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise = Exercise.objects.get(slug="seated-heel-raise")
    assert exercise.steps == ["Sit with feet flat.", "Rise onto the toes.", "Lower slowly."]
    assert exercise.cues == ["Keep the knees still."]
    assert exercise.safety_notes == []
    assert list(exercise.equipment.all()) == [band]
    assert exercise.clinic is None
    assert exercise.earliest_week_non_operative == 3


def test_exercise_add_needs_at_least_one_step_and_a_dose(staff_client: Client) -> None:
    response = staff_client.post(
        admin_url(Exercise, "add"), exercise_add_data(steps="\n  \n", default_reps="")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "steps" in form.errors
    assert "Give default repetitions, a hold time or a duration." in form.non_field_errors()
    assert not Exercise.objects.exists()


def test_exercise_change_page_previews_the_instructions_escaped(staff_client: Client) -> None:
    exercise = factories.ExerciseFactory(
        patient_summary="Calf <b>raise</b>",
        steps=["Stand tall.", "<script>alert(1)</script>"],
        cues=["Knees & toes"],
        patient_safety_notes=["Stop if it hurts > 3/10."],
    )
    response = staff_client.get(admin_url(Exercise, "change", exercise.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in content
    assert "<p>Calf &lt;b&gt;raise&lt;/b&gt;</p>" in content
    assert "<ol><li>Stand tall.</li>" in content
    assert "<li>Knees &amp; toes</li>" in content
    assert "<li>Stop if it hurts &gt; 3/10.</li>" in content
    # The textarea shows the steps one per line (escaped too).
    assert "Stand tall.\n&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in content
    # The slug is fixed once the exercise exists.
    assert 'name="slug"' not in content


def test_exercise_change_updates_the_steps_and_the_preview(staff_client: Client) -> None:
    exercise = factories.ExerciseFactory()
    url = admin_url(Exercise, "change", exercise.pk)
    data = post_data_from(staff_client.get(url), steps="Step one.\nStep two.\n\n")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise.refresh_from_db()
    assert exercise.steps == ["Step one.", "Step two."]
    assert exercise.cues == ["Keep the foot straight."]
    response = staff_client.get(url)
    assert "<ol><li>Step one.</li><li>Step two.</li></ol>" in response.content.decode()


def test_an_exercises_library_is_kept_when_it_is_changed(staff_client: Client) -> None:
    # Moving a shared exercise to one clinic would leave the other clinics' templates and
    # plans holding an exercise that is no longer theirs (from review): the clinic is read-only
    # once the exercise exists, and a posted one is not taken.
    exercise = factories.ExerciseFactory()
    clinic = factories.ClinicFactory()
    url = admin_url(Exercise, "change", exercise.pk)
    page = staff_client.get(url)
    assert 'name="clinic"' not in page.content.decode()
    response = staff_client.post(url, {**post_data_from(page), "clinic": clinic.pk})
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.clinic_id is None
    add = staff_client.get(admin_url(Exercise, "add")).content.decode()
    assert 'name="clinic"' in add  # chosen when the exercise is made


def test_exercise_cannot_progress_to_itself(staff_client: Client) -> None:
    exercise = factories.ExerciseFactory()
    url = admin_url(Exercise, "change", exercise.pk)
    data = post_data_from(staff_client.get(url), progresses_to=exercise.pk)
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "progresses_to" in response.context["adminform"].form.errors


def test_staff_raising_a_shared_exercises_earliest_week_rechecks_shared_templates(
    staff_client: Client, seeded: None
) -> None:
    # (from review) the raise left the shared templates placing it early, with no warning.
    assert published_early_items() == []
    towel = Exercise.objects.get(slug="towel-calf-stretch")  # operative template: week 8
    url = admin_url(Exercise, "change", towel.pk)
    data = post_data_from(staff_client.get(url), earliest_week_operative="12")
    response = staff_client.post(url, data)
    assert response.status_code in (200, 302)
    assert published_early_items() == []


def test_an_earliest_week_raise_a_published_template_contradicts_is_refused_on_the_field(
    staff_client: Client, seeded: None
) -> None:
    towel = Exercise.objects.get(slug="towel-calf-stretch")
    before = towel.earliest_week_operative
    url = admin_url(Exercise, "change", towel.pk)
    data = post_data_from(staff_client.get(url), earliest_week_operative="12")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["earliest_week_operative"]
    assert "shared template “" in error
    assert "week 12 or later" in error
    towel.refresh_from_db()
    assert towel.earliest_week_operative == before
    # A week the templates allow is saved (and announced, as before).
    data = post_data_from(staff_client.get(url), earliest_week_operative=str(before))
    assert staff_client.post(url, data).status_code == 302


def test_exercise_publish_actions(staff_client: Client) -> None:
    exercises = factories.ExerciseFactory.create_batch(2, is_published=False)
    response = staff_client.post(
        admin_url(Exercise, "changelist"),
        {"action": "publish", "_selected_action": [e.pk for e in exercises]},
    )
    assert response.status_code == 302
    assert Exercise.objects.filter(is_published=True).count() == 2


# --- protocol templates -------------------------------------------------------------------


def test_protocol_changelist_add_and_change_pages(staff_client: Client) -> None:
    phase = factories.ProtocolPhaseFactory(name="Protection")
    factories.ProtocolItemFactory.create_batch(2, phase=phase)
    protocol = phase.protocol
    response = staff_client.get(admin_url(Protocol, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_list[0].phase_count == 1

    response = staff_client.get(admin_url(Protocol, "add"))
    assert response.status_code == 200
    assert 'name="phases-TOTAL_FORMS"' in response.content.decode()

    response = staff_client.get(admin_url(Protocol, "change", protocol.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Protection" in content
    assert admin_url(ProtocolPhase, "change", phase.pk) in content
    assert "Edit 2 exercises" in content


def test_protocol_change_page_queries_do_not_grow_with_phases(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    protocol = factories.ProtocolFactory()
    for phase in factories.ProtocolPhaseFactory.create_batch(10, protocol=protocol):
        factories.ProtocolItemFactory(phase=phase)
    # 1. session, 2. user, 3. the protocol, 4. its phases joined to the protocol, with the
    # item count annotated, 5. the content type (history link), 6. clinic choices.
    with django_assert_max_num_queries(6):
        response = staff_client.get(admin_url(Protocol, "change", protocol.pk))
    assert response.status_code == 200
    assert response.content.decode().count("Edit 1 exercise<") == 10


def test_protocol_add_with_a_phase(staff_client: Client) -> None:
    page = staff_client.get(admin_url(Protocol, "add"))
    data = post_data_from(
        page,
        name="Operative, accelerated",
        slug="operative-accelerated",
        pathway="operative",
        source="Test source",
        **{
            "phases-0-order": "1",
            "phases-0-name": "Protection",
            "phases-0-start_week": "0",
            "phases-0-end_week": "2",
            "phases-0-boot": "Boot with 3 wedges",
        },
    )
    response = staff_client.post(admin_url(Protocol, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    protocol = Protocol.objects.get(slug="operative-accelerated")
    assert [(p.name, p.boot) for p in protocol.phases.all()] == [
        ("Protection", "Boot with 3 wedges")
    ]


def test_protocol_phase_end_before_start_is_refused(staff_client: Client) -> None:
    protocol = factories.ProtocolFactory()
    url = admin_url(Protocol, "change", protocol.pk)
    data = post_data_from(
        staff_client.get(url),
        **{
            "phases-0-order": "1",
            "phases-0-name": "Backwards",
            "phases-0-start_week": "4",
            "phases-0-end_week": "2",
        },
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "The end week must be after the start week." in response.content.decode()
    assert not ProtocolPhase.objects.exists()


def test_protocol_changelist_queries_do_not_grow_with_rows(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):  # each with its own clinic
        protocol = factories.ProtocolFactory(clinic=factories.ClinicFactory())
        factories.ProtocolPhaseFactory.create_batch(2, protocol=protocol)
    # 1. session, 2. user, 3. clinic filter choices, 4. count (filtered), 5. count (all),
    # 6. the page of protocols joined to clinic, with the phase count annotated.
    with django_assert_max_num_queries(6):
        response = staff_client.get(admin_url(Protocol, "changelist"))
    assert response.status_code == 200
    assert {p.phase_count for p in response.context["cl"].result_list} == {2}


def test_protocol_phase_change_page_with_items_inline(staff_client: Client) -> None:
    exercise = factories.ExerciseFactory(name="Single-leg balance", earliest_week_operative=6)
    item = factories.ProtocolItemFactory(exercise=exercise)
    phase = item.phase
    response = staff_client.get(admin_url(ProtocolPhase, "change", phase.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="items-TOTAL_FORMS"' in content
    assert "Single-leg balance" in content
    assert "Before its earliest safe week (6)" in content
    response = staff_client.get(admin_url(ProtocolPhase, "changelist"))
    assert response.status_code == 200


def test_protocol_phase_items_are_edited_inline(staff_client: Client) -> None:
    item = factories.ProtocolItemFactory(sets=3, reps=10, order=1)
    new_exercise = factories.ExerciseFactory()
    url = admin_url(ProtocolPhase, "change", item.phase.pk)
    data = post_data_from(
        staff_client.get(url),
        **{
            "items-0-sets": "2",
            "items-1-exercise": str(new_exercise.pk),
            "items-1-order": "2",
            "items-1-hold_seconds": "30",
        },
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    items = list(ProtocolItem.objects.filter(phase=item.phase).order_by("order"))
    assert [(i.exercise_id, i.sets, i.reps, i.hold_seconds) for i in items] == [
        (item.exercise_id, 2, 10, None),
        (new_exercise.pk, 1, None, 30),
    ]


def test_exercise_autocomplete_for_protocol_items(staff_client: Client) -> None:
    factories.ExerciseFactory(name="Single-leg balance")
    factories.ExerciseFactory(name="Calf stretch")
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "balance",
            "app_label": "rehab",
            "model_name": "protocolitem",
            "field_name": "exercise",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Single-leg balance"]


def _item_autocomplete(staff_client: Client, term: str, referer: str | None = None) -> list[str]:
    headers = {"referer": referer} if referer is not None else {}
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": term,
            "app_label": "rehab",
            "model_name": "protocolitem",
            "field_name": "exercise",
        },
        headers=headers,
    )
    assert response.status_code == 200
    return sorted(r["text"] for r in response.json()["results"])


def test_a_shared_templates_exercise_autocomplete_offers_only_shared_exercises(
    staff_client: Client,
) -> None:
    # (A clinic's own exercise was offered, then refused on save: ProtocolItem.clean.)
    factories.ExerciseFactory(name="Balance, shared", clinic=None)
    factories.ExerciseFactory(name="Balance, one clinic's", clinic=factories.ClinicFactory())
    phase = factories.ProtocolPhaseFactory(protocol=factories.ProtocolFactory(clinic=None))
    page = "http://testserver" + admin_url(ProtocolPhase, "change", phase.pk)
    assert _item_autocomplete(staff_client, "balance", page) == ["Balance, shared"]
    # Without a phase's page behind it (a new phase, no Referer): the shared ones, which every
    # template may hold.
    assert _item_autocomplete(staff_client, "balance") == ["Balance, shared"]
    add_page = "http://testserver" + admin_url(ProtocolPhase, "add")
    assert _item_autocomplete(staff_client, "balance", add_page) == ["Balance, shared"]


def test_a_clinic_templates_exercise_autocomplete_offers_its_own_and_shared_exercises(
    staff_client: Client,
) -> None:
    clinic = factories.ClinicFactory()
    factories.ExerciseFactory(name="Balance, shared", clinic=None)
    factories.ExerciseFactory(name="Balance, own", clinic=clinic)
    factories.ExerciseFactory(name="Balance, another clinic's", clinic=factories.ClinicFactory())
    phase = factories.ProtocolPhaseFactory(protocol=factories.ProtocolFactory(clinic=clinic))
    page = "http://testserver" + admin_url(ProtocolPhase, "change", phase.pk)
    assert _item_autocomplete(staff_client, "balance", page) == ["Balance, own", "Balance, shared"]
    # Another site's page, or a phase that is not there, names no template: the shared ones.
    elsewhere = "https://elsewhere.example" + admin_url(ProtocolPhase, "change", phase.pk)
    assert _item_autocomplete(staff_client, "balance", elsewhere) == ["Balance, shared"]
    gone = "http://testserver" + admin_url(ProtocolPhase, "change", 999999999)
    assert _item_autocomplete(staff_client, "balance", gone) == ["Balance, shared"]


def test_the_exercise_list_search_still_finds_every_library(staff_client: Client) -> None:
    factories.ExerciseFactory(name="Balance, shared", clinic=None)
    factories.ExerciseFactory(name="Balance, one clinic's", clinic=factories.ClinicFactory())
    response = staff_client.get(admin_url(Exercise, "changelist"), {"q": "balance"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


# --- guardrails on templates (site staff edit the shared ones here) -----------------------


def _item_posted(
    staff_client: Client, phase: ProtocolPhase, exercise: Exercise, row: int = 0, **item: str
) -> Any:
    """The template phase's admin page posted with ``exercise`` in row ``row`` of its items
    (order ``row`` + 1, 10 reps, and ``item``'s values): the answer."""
    url = admin_url(ProtocolPhase, "change", phase.pk)
    values = {"exercise": str(exercise.pk), "order": str(row + 1), "reps": "10", **item}
    return staff_client.post(
        url,
        post_data_from(
            staff_client.get(url), **{f"items-{row}-{name}": v for name, v in values.items()}
        ),
    )


def test_admin_refuses_template_item_before_its_earliest_safe_week(staff_client: Client) -> None:
    # (from review) the items inline only showed a read-only warning, after saving.
    protocol = factories.ProtocolFactory(is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=0, end_week=2)
    early = factories.ExerciseFactory(earliest_week_operative=12)
    response = _item_posted(staff_client, phase, early, sets="3")
    if response.status_code == 200:  # refused with an error: fine
        assert response.context["errors"]
    # A template never places an exercise before its earliest safe week (no reason field).
    assert not ProtocolItem.objects.filter(phase=phase, exercise=early).exists()


def test_admin_item_refusal_names_the_exercise_and_its_earliest_week(staff_client: Client) -> None:
    protocol = factories.ProtocolFactory(is_published=True)
    phase = factories.ProtocolPhaseFactory(
        protocol=protocol, name="Protection", start_week=0, end_week=2
    )
    early = factories.ExerciseFactory(name="Single-leg heel raise", earliest_week_operative=12)
    response = _item_posted(staff_client, phase, early)
    assert response.status_code == 200
    (items,) = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "items"]
    assert items.formset.forms[0].errors["exercise"] == [
        (
            "A template cannot place an exercise before its earliest safe week: Single-leg heel "
            "raise in Protection (from week 12). Put it in a later phase (a patient's own plan "
            "may place it earlier, with a reason)."
        )
    ]
    assert not ProtocolItem.objects.filter(phase=phase).exists()


def test_admin_item_at_its_earliest_week_or_on_the_other_pathway_is_kept(
    staff_client: Client,
) -> None:
    protocol = factories.ProtocolFactory(is_published=True, pathway="non_operative")
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=4, end_week=8)
    # Early on the operative pathway only; this template is non-operative.
    exercise = factories.ExerciseFactory(earliest_week_operative=12, earliest_week_non_operative=4)
    response = _item_posted(staff_client, phase, exercise)
    assert response.status_code == 302, response.context["errors"]
    assert ProtocolItem.objects.filter(phase=phase, exercise=exercise).exists()


def test_admin_refuses_moving_a_phase_earlier_than_its_items_allow(staff_client: Client) -> None:
    # (from review) the phase's start week could be moved before its items' earliest week.
    protocol = factories.ProtocolFactory(is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=12, end_week=16)
    exercise = factories.ExerciseFactory(earliest_week_operative=12)
    factories.ProtocolItemFactory(phase=phase, exercise=exercise, order=1)
    url = admin_url(ProtocolPhase, "change", phase.pk)
    data = post_data_from(staff_client.get(url), start_week="0")
    response = staff_client.post(url, data)
    assert response.status_code in (200, 302)
    phase.refresh_from_db()
    assert phase.start_week == 12


def test_admin_moving_a_phase_earlier_with_its_early_item_deleted_is_kept(
    staff_client: Client,
) -> None:
    phase = factories.ProtocolPhaseFactory(start_week=12, end_week=16)
    item = factories.ProtocolItemFactory(
        phase=phase, exercise=factories.ExerciseFactory(earliest_week_operative=12), order=1
    )
    url = admin_url(ProtocolPhase, "change", phase.pk)
    data = post_data_from(staff_client.get(url), start_week="0", **{"items-0-DELETE": "on"})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    phase.refresh_from_db()
    assert phase.start_week == 0
    assert not ProtocolItem.objects.filter(pk=item.pk).exists()


def _phase_inline_data(staff_client: Client, protocol: Any, **overrides: Any) -> dict[str, Any]:
    return post_data_from(staff_client.get(admin_url(Protocol, "change", protocol.pk)), **overrides)


def test_template_admin_refuses_moving_a_phase_earlier_than_its_items_allow(
    staff_client: Client,
) -> None:
    protocol = factories.ProtocolFactory(is_published=True)
    phase = factories.ProtocolPhaseFactory(
        protocol=protocol, name="Loading", order=1, start_week=12, end_week=16
    )
    exercise = factories.ExerciseFactory(name="Hop", earliest_week_operative=12)
    factories.ProtocolItemFactory(phase=phase, exercise=exercise, order=1)
    url = admin_url(Protocol, "change", protocol.pk)
    response = staff_client.post(
        url, _phase_inline_data(staff_client, protocol, **{"phases-0-start_week": "2"})
    )
    assert response.status_code == 200
    (phases,) = response.context["inline_admin_formsets"]
    assert "Hop in Loading (from week 12)" in phases.formset.forms[0].errors["start_week"][0]
    phase.refresh_from_db()
    assert phase.start_week == 12


def test_template_admin_refuses_a_pathway_that_makes_items_too_early(
    staff_client: Client,
) -> None:
    protocol = factories.ProtocolFactory(is_published=True, pathway="operative")
    phase = factories.ProtocolPhaseFactory(protocol=protocol, order=1, start_week=6, end_week=10)
    exercise = factories.ExerciseFactory(earliest_week_operative=6, earliest_week_non_operative=8)
    factories.ProtocolItemFactory(phase=phase, exercise=exercise, order=1)
    response = staff_client.post(
        admin_url(Protocol, "change", protocol.pk),
        _phase_inline_data(staff_client, protocol, pathway="non_operative"),
    )
    assert response.status_code == 200
    protocol.refresh_from_db()
    assert protocol.pathway == "operative"


def test_template_admin_phase_change_within_the_guardrails_is_kept(staff_client: Client) -> None:
    protocol = factories.ProtocolFactory(is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, order=1, start_week=12, end_week=16)
    exercise = factories.ExerciseFactory(earliest_week_operative=10)
    factories.ProtocolItemFactory(phase=phase, exercise=exercise, order=1)
    response = staff_client.post(
        admin_url(Protocol, "change", protocol.pk),
        _phase_inline_data(staff_client, protocol, **{"phases-0-start_week": "10"}),
    )
    assert response.status_code == 302, response.context["errors"]
    phase.refresh_from_db()
    assert phase.start_week == 10


def test_admin_refuses_a_clinics_own_exercise_in_a_shared_template(staff_client: Client) -> None:
    # (from review) a shared template is offered to every clinic: one clinic's own exercise
    # (its text and photos) must not reach other clinics' clinicians and patients.
    clinic_exercise = factories.ExerciseFactory(clinic=factories.ClinicFactory())
    shared = factories.ProtocolFactory(clinic=None, is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=shared, start_week=0, end_week=2)
    _item_posted(staff_client, phase, clinic_exercise, sets="3")
    assert not ProtocolItem.objects.filter(phase=phase, exercise=clinic_exercise).exists()


def test_admin_clinic_template_takes_its_own_and_shared_exercises_not_another_clinics(
    staff_client: Client,
) -> None:
    clinic = factories.ClinicFactory()
    own = factories.ExerciseFactory(clinic=clinic)
    shared = factories.ExerciseFactory(clinic=None)
    other = factories.ExerciseFactory(clinic=factories.ClinicFactory())
    phase = factories.ProtocolPhaseFactory(
        protocol=factories.ProtocolFactory(clinic=clinic), start_week=0, end_week=2
    )

    response = _item_posted(staff_client, phase, other)
    assert response.status_code == 200
    assert response.context["errors"]
    assert not ProtocolItem.objects.filter(phase=phase).exists()
    assert _item_posted(staff_client, phase, own).status_code == 302
    assert _item_posted(staff_client, phase, shared, row=1).status_code == 302
    assert set(ProtocolItem.objects.filter(phase=phase).values_list("exercise", flat=True)) == {
        own.pk,
        shared.pk,
    }


def test_template_admin_refuses_sharing_a_template_that_holds_a_clinics_own_exercise(
    staff_client: Client,
) -> None:
    clinic = factories.ClinicFactory()
    protocol = factories.ProtocolFactory(clinic=clinic, is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, order=1, start_week=0, end_week=2)
    factories.ProtocolItemFactory(phase=phase, exercise=factories.ExerciseFactory(clinic=clinic))
    response = staff_client.post(
        admin_url(Protocol, "change", protocol.pk),
        _phase_inline_data(staff_client, protocol, clinic=""),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["clinic"]
    protocol.refresh_from_db()
    assert protocol.clinic_id == clinic.pk


# --- patient data, view-only --------------------------------------------------------------


def _patient_data() -> None:
    log = factories.ExerciseLogFactory()
    patient = log.patient
    plan = log.prescription.phase.plan
    factories.CheckInFactory(patient=patient, flag_dvt=True)
    response = factories.AtrsResponseFactory(patient=patient)
    factories.MeasurementFactory(patient=patient)
    factories.AlertFactory(patient=patient)
    AtrsRequest.objects.create(patient=patient, response=response)
    PhaseChange.objects.create(
        plan=plan, to_phase=log.prescription.phase, effective_on=plan.anchor_date
    )
    criterion = PlanCriterion.objects.create(phase=log.prescription.phase, kind="clinician")
    CriterionJudgement.objects.create(
        plan=plan, criterion=criterion, criterion_text="Gait", met=True
    )
    ProposalDismissal.objects.create(phase=log.prescription.phase, note="Not yet")
    ProtocolCriterion.objects.create(phase=factories.ProtocolPhaseFactory(), kind="clinician")


REGISTERED_REHAB_MODELS = [
    model for model in admin.site._registry if model._meta.app_label == "rehab"
]


@pytest.mark.parametrize("model", REGISTERED_REHAB_MODELS, ids=lambda m: m._meta.model_name)
def test_every_rehab_changelist_and_change_page_answers(staff_client: Client, model: Any) -> None:
    _patient_data()
    factories.ProtocolItemFactory()
    factories.EquipmentFactory()
    response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None
    response = staff_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["red_flag=any", "red_flag=none", "red_flag=dvt", "swelling__exact=mild", "q=smith"],
)
def test_checkin_filters(staff_client: Client, query: str) -> None:
    _patient_data()
    response = staff_client.get(admin_url(CheckIn, "changelist") + "?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Alert, "open=yes"),
        (Alert, "open=no"),
        (Prescription, "retired=yes"),
        (Prescription, "retired=no"),
        (Plan, "status__exact=active"),
    ],
)
def test_patient_data_filters(staff_client: Client, model: Any, query: str) -> None:
    _patient_data()
    response = staff_client.get(admin_url(model, "changelist") + "?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model", [Plan, Prescription, ExerciseLog, CheckIn, AtrsResponse, Measurement, Alert]
)
def test_patient_data_is_view_only(staff_client: Client, model: Any) -> None:
    _patient_data()
    obj = model.objects.first()
    assert staff_client.get(admin_url(model, "add")).status_code == 403
    response = staff_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert staff_client.post(admin_url(model, "change", obj.pk), {}).status_code == 403


@pytest.mark.parametrize("model", [ExerciseLog, CheckIn, AtrsResponse, Measurement, Alert], ids=str)
def test_what_patients_reported_cannot_be_deleted(staff_client: Client, model: Any) -> None:
    _patient_data()
    obj = model.objects.first()
    assert staff_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    response = staff_client.post(
        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk]}
    )
    assert model.objects.filter(pk=obj.pk).exists()
    assert response.status_code in {200, 302}


def _plan_records() -> dict[type[Any], Any]:
    """A paused plan's records that no log protects: a prescription the patient was asked to
    do on earlier days (never ticked), the phase change that made its phase current, and the
    plan with the red flag's hold on it."""
    rx = factories.PrescriptionFactory()
    Prescription.objects.filter(pk=rx.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    plan = rx.phase.plan
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PAUSED, current_phase=rx.phase)
    change = PhaseChange.objects.create(
        plan=plan, to_phase=rx.phase, effective_on=timezone.localdate() - dt.timedelta(days=5)
    )
    PlanHold.objects.create(plan=plan, flags=["dvt"])
    return {Plan: plan, Prescription: rx, PhaseChange: change}


@pytest.mark.parametrize("model", [Plan, Prescription, PhaseChange], ids=str)
def test_a_plans_records_cannot_be_deleted(staff_client: Client, model: Any) -> None:
    """The builder retires a prescription the patient was asked to do (adherence keeps the days
    it was due) and never deletes a plan, its phase history or a red flag's hold: the admin's
    delete would skip those rules (and, for a plan, take the hold that pauses exercise)."""
    obj = _plan_records()[model]
    assert staff_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert staff_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    response = staff_client.post(
        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk]}
    )
    assert response.status_code in {200, 302}
    assert model.objects.filter(pk=obj.pk).exists()
    assert PlanHold.objects.filter(resumed_at__isnull=True).exists()  # exercise stays paused


def _criterion_and_request() -> dict[type[Any], Any]:
    """A criterion a clinician judged met (what let the patient move on) and an ATRS request
    the patient answered (who asked for the score, and when)."""
    criterion = PlanCriterion.objects.create(
        phase=factories.PrescriptionFactory().phase,
        kind="clinician",
        judged_met=True,
        judged_at=timezone.now(),
    )
    answer = factories.AtrsResponseFactory()
    request = AtrsRequest.objects.create(patient=answer.patient, response=answer)
    return {PlanCriterion: criterion, AtrsRequest: request}


@pytest.mark.parametrize("model", [PlanCriterion, AtrsRequest], ids=str)
def test_a_met_criterion_and_an_answered_atrs_request_cannot_be_deleted(
    staff_client: Client, model: Any
) -> None:
    """A plan's exit criteria change in the builder (a new version of the plan, never of a
    completed one), and a judged one is a clinician's judgement; an answered ATRS request
    says who asked for the score and when (it is in the patient's export): the admin's delete
    would lose both, as it would a plan's other records."""
    obj = _criterion_and_request()[model]
    assert staff_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert staff_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    response = staff_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert response.status_code in {200, 302}
    assert model.objects.filter(pk=obj.pk).exists()


def test_exercise_log_admin_has_no_delete_permission(rf: Any) -> None:
    request = rf.get("/")
    request.user = factories.StaffFactory()
    model_admin = ExerciseLogAdmin(ExerciseLog, admin.site)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_delete_permission(request, factories.ExerciseLogFactory())


def test_plan_change_page_lists_its_phases_read_only(staff_client: Client) -> None:
    rx = factories.PrescriptionFactory()
    plan = rx.phase.plan
    response = staff_client.get(admin_url(Plan, "change", plan.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert rx.phase.name in content
    assert f"?phase__id__exact={rx.phase.pk}" in content
    response = staff_client.get(
        admin_url(Prescription, "changelist"), {"phase__id__exact": rx.phase.pk}
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [rx]


def test_log_changelist_queries_do_not_grow_with_rows(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    factories.ExerciseLogFactory.create_batch(30)  # each with its own patient and exercise
    # 1. session, 2. user, 3. clinic filter choices, 4. count (filtered), 5. count (all),
    # 6. the page of logs joined to patient, clinic, prescription and exercise,
    # 7.-8. the date hierarchy (first and last date, then the days), 9. +1 audit event.
    with django_assert_max_num_queries(9):
        response = staff_client.get(admin_url(ExerciseLog, "changelist"))
    assert response.status_code == 200


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("make_user", [factories.UserFactory, None], ids=["non-staff", "anonymous"])
def test_non_staff_are_sent_to_the_admin_login(client: Client, make_user: Any) -> None:
    if make_user is not None:
        user: User = make_user()
        client.force_login(user)
    url = admin_url(Exercise, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
