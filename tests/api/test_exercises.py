"""The exercise library: read by clinicians (shared + own clinic's), written only by staff."""

from __future__ import annotations

from typing import Any

import pytest

from core.ids import from_opaque, opaque
from rehab.models import Exercise
from tests import factories
from tests.api.conftest import World, assert_matrix, body
from tests.names import INVISIBLE_NAMES, VISIBLE_NAMES

URL = "/api/v1/exercises/"


def names(response: Any) -> set[str]:
    return {row["name"] for row in body(response)["results"]}


def test_role_matrix_for_reads(world: World) -> None:
    own = factories.ExerciseFactory(clinic=world.clinician.clinic)
    assert_matrix(
        world,
        "get",
        URL,
        {
            "anonymous": 401,
            "patient": 403,
            "clinician": 200,
            "other_clinician": 200,
            "staff": 200,
        },
    )
    assert_matrix(
        world,
        "get",
        f"{URL}{opaque(own.pk)}/",
        {
            "anonymous": 401,
            "patient": 403,
            "clinician": 200,
            "colleague": 200,
            "other_clinician": 404,
            "staff": 200,
        },
    )


def test_list_shows_shared_published_and_own_clinic(world: World) -> None:
    own = factories.ExerciseFactory(name="Own", clinic=world.clinician.clinic)
    factories.ExerciseFactory(name="Theirs", clinic=world.other_clinician.clinic)
    factories.ExerciseFactory(name="Draft", is_published=False)
    got = names(world.client("clinician").get(URL))
    assert own.name in got
    assert world.exercise.name in got
    assert "Theirs" not in got
    assert "Draft" not in got


def test_filters(world: World) -> None:
    towel = factories.EquipmentFactory(slug="towel", name="Towel")
    stretch = factories.ExerciseFactory(
        name="Towel calf stretch",
        summary="Gentle",
        category=Exercise.Category.STRETCH,
        earliest_week_operative=8,
        earliest_week_non_operative=12,
    )
    stretch.equipment.add(towel)
    client = world.client("clinician")
    assert names(client.get(URL, {"category": "stretch"})) == {stretch.name}
    assert names(client.get(URL, {"equipment": "towel"})) == {stretch.name}
    assert names(client.get(URL, {"search": "calf TOWEL"})) == {stretch.name}
    safe = {"safe_for_pathway": "operative", "safe_at_week": 7}
    assert stretch.name not in names(client.get(URL, safe))
    assert stretch.name in names(client.get(URL, {**safe, "safe_at_week": 8}))
    non_op = {"safe_for_pathway": "non_operative", "safe_at_week": 11}
    assert stretch.name not in names(client.get(URL, non_op))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "dance"}, "category"),
        ({"safe_at_week": 3}, "safe_for_pathway"),
        ({"safe_for_pathway": "operative"}, "safe_at_week"),
        ({"safe_for_pathway": "operative", "safe_at_week": "1.5"}, "safe_at_week"),
        ({"safe_for_pathway": "operative", "safe_at_week": 10**30}, "safe_at_week"),
        ({"search": "a\x00b"}, "search"),
    ],
)
def test_bad_filters_are_400_naming_the_field(world: World, params: dict, field: str) -> None:
    response = world.client("clinician").get(URL, params)
    assert response.status_code == 400
    assert field in body(response)


def test_detail_has_instructions(world: World) -> None:
    data = body(world.client("clinician").get(f"{URL}{opaque(world.exercise.pk)}/"))
    assert data["steps"] == world.exercise.steps
    assert data["equipment"] == []
    assert "equipment_slugs" not in data


def exercise_payload(**extra: Any) -> dict[str, Any]:
    return {
        "slug": "seated-heel-raise",
        "name": "Seated heel raise",
        "category": "strength",
        "summary": "Raise both heels while seated.",
        "steps": ["Sit tall.", "Raise the heels.", "Lower slowly."],
        "default_sets": 3,
        "default_reps": 10,
        "source": "Test source",
        "earliest_week_operative": 4,
        "earliest_week_non_operative": 4,
        **extra,
    }


def test_only_staff_write(world: World) -> None:
    assert_matrix(
        world,
        "post",
        URL,
        {"anonymous": 401, "patient": 403, "clinician": 403},
        exercise_payload(),
    )
    assert not Exercise.objects.filter(slug="seated-heel-raise").exists()
    for method in ("patch", "put", "delete"):
        assert_matrix(
            world,
            method,
            f"{URL}{opaque(world.exercise.pk)}/",
            {"anonymous": 401, "patient": 403, "clinician": 403},
            {"name": "Renamed"} if method != "delete" else None,
        )


def test_staff_create_update_delete(world: World) -> None:
    factories.EquipmentFactory(slug="chair", name="Chair")
    client = world.client("staff")
    response = client.post(URL, exercise_payload(equipment_slugs=["chair"]), format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["equipment"] == [{"slug": "chair", "name": "Chair"}]
    assert data["clinic"] is None
    url = f"{URL}{data['id']}/"
    response = client.patch(url, {"name": "Seated heel raises", "equipment_slugs": []})
    assert body(response)["name"] == "Seated heel raises"
    assert body(response)["equipment"] == []
    assert client.delete(url).status_code == 204
    assert not Exercise.objects.filter(pk=from_opaque(data["id"])).exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"default_reps": None, "default_hold_seconds": None}, "non_field_errors"),
        ({"default_sets": 0}, "default_sets"),
        ({"steps": []}, "steps"),
        ({"category": "dance"}, "category"),
        ({"equipment_slugs": ["no-such-thing"]}, "equipment_slugs"),
        ({"progresses_to": 10**12}, "progresses_to"),
        ({"earliest_week_operative": 105}, "earliest_week_operative"),
    ],
)
def test_staff_bad_input_is_400(world: World, extra: dict, field: str) -> None:
    response = world.client("staff").post(URL, exercise_payload(**extra), format="json")
    assert response.status_code == 400
    assert field in body(response)


@pytest.mark.parametrize("field", ["name", "patient_name"])
@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_only_invisible_characters_is_a_400_and_nothing_is_stored(
    world: World, field: str, name: str
) -> None:
    before = Exercise.objects.count()
    response = world.client("staff").post(URL, exercise_payload(**{field: name}), format="json")
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {field: ["invisible"]}
    assert Exercise.objects.count() == before


def test_a_name_with_a_visible_letter_is_stored_as_written(world: World) -> None:
    client = world.client("staff")
    for number, name in enumerate(VISIBLE_NAMES):
        payload = exercise_payload(slug=f"raise-{number}", name=f"{name} raise", patient_name=name)
        response = client.post(URL, payload, format="json")
        assert response.status_code == 201, response.content
        exercise = Exercise.objects.get(pk=from_opaque(body(response)["id"]))
        assert (exercise.name, exercise.patient_name) == (f"{name} raise", name)


def test_staff_misspelling_a_field_is_refused_not_ignored(world: World) -> None:
    """Found by fuzzing: unknown keys were dropped, so a PATCH of the earliest safe week with
    its name misspelt answered 200 and left the week as it was. Now refused, nothing changed."""
    url = f"{URL}{opaque(world.exercise.pk)}/"
    response = world.client("staff").patch(url, {"earliest_week_operativ": 8}, format="json")
    assert response.status_code == 400
    assert body(response)["codes"] == {"earliest_week_operativ": ["unknown_field"]}
    world.exercise.refresh_from_db()
    assert world.exercise.earliest_week_operative == 0


def test_an_equipment_slug_with_a_nul_byte_is_a_400(world: World) -> None:
    """PostgreSQL refuses a text value with a NUL byte (``DataError``): the slug is refused
    on ``equipment_slugs`` before it is looked up, not answered with a 500."""
    client = world.client("staff")
    client.raise_request_exception = False
    response = client.patch(
        f"{URL}{opaque(world.exercise.pk)}/", {"equipment_slugs": ["band\x00"]}, format="json"
    )
    assert response.status_code == 400, response.content[:200]
    assert body(response)["codes"] == {"equipment_slugs": ["null_characters_not_allowed"]}


def test_staff_raising_an_earliest_week_past_a_published_template_is_400(world: World) -> None:
    """(from review) A shared template would otherwise place the exercise early."""
    exercise = factories.ExerciseFactory(earliest_week_operative=6)
    protocol = factories.ProtocolFactory(clinic=None, name="Shared plan", is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=6, end_week=8)
    factories.ProtocolItemFactory(phase=phase, exercise=exercise)
    response = world.client("staff").patch(
        f"{URL}{opaque(exercise.pk)}/", {"earliest_week_operative": 12}, format="json"
    )
    assert response.status_code == 400
    assert "“Shared plan” (v1)" in body(response)["earliest_week_operative"][0]
    exercise.refresh_from_db()
    assert exercise.earliest_week_operative == 6


def test_staff_cannot_move_an_exercise_to_another_library_through_the_api(world: World) -> None:
    """An exercise's ``clinic`` is set when it is made, as in the admin (commit 5112da8):
    moving a shared exercise into one clinic's library would leave the other clinics' plans
    and templates holding an exercise no longer theirs (here clinic B's patient's plan holds
    it). A change is refused on ``clinic`` (not silently dropped); the same value is none."""
    clinic = world.clinician.clinic
    client = world.client("staff")
    url = f"{URL}{opaque(world.exercise.pk)}/"
    response = client.patch(url, {"clinic": opaque(clinic.pk)}, format="json")
    assert response.status_code == 400, response.content[:200]
    assert body(response)["codes"] == {"clinic": ["set_once"]}
    world.exercise.refresh_from_db()
    assert world.exercise.clinic_id is None
    assert client.patch(url, {"clinic": None}, format="json").status_code == 200


def test_staff_cannot_rename_an_exercise_slug_through_the_api(world: World) -> None:
    """The admin locks the slug once the exercise exists (``SlugLockedAfterCreateAdmin``):
    the fixtures load by it, and a renamed one makes the next ``loaddata`` create a
    duplicate. A change is refused on ``slug``; a PUT sending the same slug is taken."""
    old = world.exercise.slug
    client = world.client("staff")
    url = f"{URL}{opaque(world.exercise.pk)}/"
    response = client.patch(url, {"slug": "renamed-slug"}, format="json")
    assert response.status_code == 400, response.content[:200]
    assert body(response)["codes"] == {"slug": ["set_once"]}
    world.exercise.refresh_from_db()
    assert world.exercise.slug == old
    replaced = exercise_payload(
        slug=old, name="Replaced", earliest_week_operative=0, earliest_week_non_operative=0
    )
    response = client.put(url, replaced, format="json")
    assert response.status_code == 200, response.content[:300]
    assert (body(response)["slug"], body(response)["name"]) == (old, "Replaced")


def test_an_exercise_in_use_cannot_be_deleted(world: World) -> None:
    response = world.client("staff").delete(f"{URL}{opaque(world.exercise.pk)}/")
    assert response.status_code == 400
    assert "Unpublish" in body(response)["non_field_errors"][0]
    assert Exercise.objects.filter(pk=world.exercise.pk).exists()


@pytest.mark.parametrize("path", ["abc/", "99999999999999999999/", "9223372036854775807/"])
def test_odd_ids_are_json_404(world: World, path: str) -> None:
    response = world.client("clinician").get(f"{URL}{path}")
    assert response.status_code == 404
    assert "detail" in body(response)
