"""A clinic's own exercises on the clinic's pages (issue 21, item 3 and 6): create, edit,
archive, copy and adapt, photos and videos, history; and what patients see of an edit."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clinic.models import Clinician, Patient
from rehab.forms.library import CLINIC_EXERCISE_EXCLUDED, ClinicExerciseForm
from rehab.models import Exercise, ExerciseMedia, Prescription
from rehab.models.alerts import Alert
from rehab.services import protocols as protocol_services
from tests import factories, media
from tests.conftest import client_for
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES, VISIBLE_NAMES

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Seated calf raise",
    "category": "strength",
    "summary": "Sit and lift your heels slowly.",
    "steps": "1. Sit tall\n2. Lift both heels\n3. Lower slowly",
    "cues": "Slowly down",
    "safety_notes": "Stop if it hurts more than mildly",
    "default_sets": "2",
    "default_reps": "10",
    "default_times_per_day": "1",
    "default_days_per_week": "7",
    "side": "both",
    "video_start_seconds": "0",
    "earliest_week_operative": "6",
    "earliest_week_non_operative": "6",
    "earliest_week_reason": "Load after the boot phase.",
    "source": "Clinic protocol 2026",
}


def stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_form_has_every_field_of_the_shared_library() -> None:
    """A field added to Exercise appears on the clinic's page unless named as excluded."""
    model_fields = {f.name for f in Exercise._meta.get_fields() if f.concrete or f.many_to_many} - {
        "history"
    }
    form = ClinicExerciseForm(exercises=Exercise.objects.none())
    assert model_fields - set(CLINIC_EXERCISE_EXCLUDED) == set(form.fields)
    placed = set(ClinicExerciseForm.PLACED) | {f for f in form.fields if f.startswith("default_")}
    assert {f.name for f in form.unplaced_fields()} == set(form.fields) - placed


def test_a_clinician_creates_an_exercise_of_their_clinic(clinician: Clinician) -> None:
    response = client_for(clinician.user).post(reverse("rehab:exercise_create"), FORM)
    exercise = Exercise.objects.get(name="Seated calf raise")
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:library_detail", args=[exercise.pk])
    assert exercise.clinic == clinician.clinic
    assert exercise.steps == ["Sit tall", "Lift both heels", "Lower slowly"]
    assert exercise.is_published
    assert exercise.history.get().history_user == clinician.user


def test_the_same_form_sent_twice_adds_one_exercise(clinician: Clinician) -> None:
    client = client_for(clinician.user)
    first = client.post(reverse("rehab:exercise_create"), FORM)
    again = client.post(reverse("rehab:exercise_create"), FORM)  # a double click
    exercise = Exercise.objects.get(name="Seated calf raise")
    assert (
        first["Location"]
        == again["Location"]
        == reverse("rehab:library_detail", args=[exercise.pk])
    )
    # Later, the same name is another exercise that could not be told apart: said, not added.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        later = client.post(reverse("rehab:exercise_create"), {**FORM, "name": "seated calf RAISE"})
    assert later.status_code == 200
    assert "already has an exercise named" in later.content.decode()
    assert Exercise.objects.filter(name__iexact="Seated calf raise").count() == 1


def _page_id(text: str) -> str:
    """The id the page was drawn with (its hidden ``client_uuid``)."""
    found = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', text)
    assert found, "the page carries no client_uuid"
    return found.group(1)


def test_the_same_page_sent_again_minutes_later_adds_one_exercise(clinician: Clinician) -> None:
    """A retry after the resubmit window (a slow answer, Back then Save again) goes where the
    first went, instead of refusing the name the first save took."""
    client = client_for(clinician.user)
    url = reverse("rehab:exercise_create")
    form = {**FORM, "client_uuid": _page_id(client.get(url).text)}
    first = client.post(url, form)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        again = client.post(url, form)
    exercise = Exercise.objects.get(name="Seated calf raise")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert again["Location"] == reverse("rehab:library_detail", args=[exercise.pk])
    # The edit page carries no id: it changes this exercise, it adds none.
    edit = client.get(reverse("rehab:exercise_edit", args=[exercise.pk])).text
    assert 'name="client_uuid"' not in edit


def test_a_page_id_of_another_clinics_exercise_is_a_form_error(clinician: Clinician) -> None:
    theirs = factories.ExerciseFactory(
        name="Their secret exercise", clinic=factories.ClinicFactory(), client_uuid=uuid.uuid4()
    )
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_create"), {**FORM, "client_uuid": str(theirs.client_uuid)}
    )
    assert response.status_code == 200
    assert "This id is already in use" in response.text
    assert "Their secret exercise" not in response.text
    assert not Exercise.objects.filter(clinic=clinician.clinic).exists()


def test_a_bad_form_shows_its_errors_and_stores_nothing(clinician: Clinician) -> None:
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_create"), {**FORM, "default_reps": "", "default_hold_seconds": ""}
    )
    assert response.status_code == 200
    assert "Give default repetitions, a hold time or a duration." in response.content.decode()
    assert not Exercise.objects.filter(name="Seated calf raise").exists()


def test_a_dose_without_reps_hold_or_duration_is_said_once(clinician: Clinician) -> None:
    """The model's check and the database constraint behind it say the same thing: the page
    shows it once, not twice."""
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_create"), {**FORM, "default_reps": "", "default_hold_seconds": ""}
    )
    assert (
        response.content.decode().count("Give default repetitions, a hold time or a duration.") == 1
    )


@pytest.mark.parametrize("field", ["steps", "cues", "safety_notes", "patient_safety_notes"])
def test_a_nul_character_in_a_list_of_lines_is_an_error_not_a_500(
    clinician: Clinician, field: str
) -> None:
    # PostgreSQL refuses NUL in text, JSON's included.
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_create"), {**FORM, field: "Sit tall\nLift\x00 both heels"}
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Exercise.objects.filter(name="Seated calf raise").exists()


@pytest.mark.parametrize("equipment", ["9" * 40, "-9223372036854775809", "1e5"])
def test_an_equipment_id_no_row_can_have_is_an_error_not_a_500(
    clinician: Clinician, equipment: str
) -> None:
    """SQLite cannot compare a number beyond 64 bits with a row id (an OverflowError: a 500;
    found by the hostile-input sweep)."""
    client = client_for(clinician.user)
    client.raise_request_exception = False
    response = client.post(reverse("rehab:exercise_create"), {**FORM, "equipment": [equipment]})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not Exercise.objects.filter(name="Seated calf raise").exists()


@pytest.mark.parametrize("field", ["name", "patient_name"])
@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_only_invisible_characters_is_refused_and_nothing_is_stored(
    clinician: Clinician, field: str, name: str
) -> None:
    before = Exercise.objects.count()
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_create"), {**FORM, field: name}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [INVISIBLE_MESSAGE]
    assert INVISIBLE_MESSAGE in response.content.decode()
    assert Exercise.objects.count() == before


@pytest.mark.parametrize("name", VISIBLE_NAMES)
def test_a_name_with_a_visible_letter_is_stored_as_written(clinician: Clinician, name: str) -> None:
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_create"), {**FORM, "name": name, "patient_name": name}
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(clinic=clinician.clinic)
    assert (exercise.name, exercise.patient_name) == (name, name)


def test_a_colleague_edits_it_and_patients_see_updated_on(
    clinician: Clinician, colleague: Clinician, patient: Patient
) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    factories.prescribed(patient, exercise=exercise)
    today = client_for(patient.user).get(reverse("rehab:today")).content.decode()
    assert "Instructions updated on" not in today

    form = {**FORM, "name": exercise.name, "patient_summary": "New, clearer words."}
    response = client_for(colleague.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]), form
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.instructions_updated_at is not None
    today = client_for(patient.user).get(reverse("rehab:today")).content.decode()
    assert "New, clearer words." in today
    assert "Instructions updated on" in today


def test_changing_only_the_guardrail_source_is_not_news_for_patients(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, **_model_values())
    client_for(clinician.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]),
        {**FORM, "earliest_week_source": "A new citation"},
    )
    exercise.refresh_from_db()
    assert exercise.earliest_week_source == "A new citation"
    assert exercise.instructions_updated_at is None


def _model_values() -> dict[str, Any]:
    return {
        "name": FORM["name"],
        "summary": FORM["summary"],
        "steps": ["Sit tall", "Lift both heels", "Lower slowly"],
        "cues": ["Slowly down"],
        "safety_notes": ["Stop if it hurts more than mildly"],
        "patient_summary": "",
        "patient_safety_notes": [],
    }


@pytest.mark.parametrize("who", ["other_clinician", "patient", "staff"])
def test_another_clinic_a_patient_or_staff_cannot_edit_it(
    request: pytest.FixtureRequest, clinician: Clinician, who: str
) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client = client_for(user)
    assert client.get(reverse("rehab:exercise_edit", args=[exercise.pk])).status_code == 404
    assert client.post(reverse("rehab:exercise_edit", args=[exercise.pk]), FORM).status_code == 404


def test_anonymous_is_sent_to_sign_in(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    response = client_for(None).get(reverse("rehab:exercise_edit", args=[exercise.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_shared_exercise_cannot_be_edited_only_copied(clinician: Clinician) -> None:
    shared = factories.ExerciseFactory()
    shared.equipment.set([factories.EquipmentFactory()])
    factories.ExerciseMediaFactory(exercise=shared)
    client = client_for(clinician.user)
    assert client.get(reverse("rehab:exercise_edit", args=[shared.pk])).status_code == 404
    response = client.post(reverse("rehab:exercise_copy", args=[shared.pk]))
    copy = Exercise.objects.get(clinic=clinician.clinic)
    assert response["Location"] == reverse("rehab:exercise_edit", args=[copy.pk])
    assert copy.name == f"{shared.name} (copy)"
    assert copy.steps == shared.steps
    assert list(copy.equipment.all()) == list(shared.equipment.all())
    (photo,) = copy.media.all()
    original = shared.media.get()
    assert photo.file.name != original.file.name
    assert photo.file.read() == original.file.read()


def test_a_copy_sent_twice_makes_one_copy_and_a_later_one_its_own_name(
    clinician: Clinician,
) -> None:
    shared = factories.ExerciseFactory(name="Heel raise")
    client = client_for(clinician.user)
    first = client.post(reverse("rehab:exercise_copy", args=[shared.pk]))
    again = client.post(reverse("rehab:exercise_copy", args=[shared.pk]))  # a double click
    copy = Exercise.objects.get(clinic=clinician.clinic)
    assert first["Location"] == again["Location"] == reverse("rehab:exercise_edit", args=[copy.pk])
    # Copied again later on purpose: a second copy, with a name a plan can tell apart.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        client.post(reverse("rehab:exercise_copy", args=[shared.pk]))
    names = Exercise.objects.filter(clinic=clinician.clinic).values_list("name", flat=True)
    assert sorted(names) == ["Heel raise (copy 2)", "Heel raise (copy)"]


def test_a_copy_of_a_long_name_fits(clinician: Clinician) -> None:
    shared = factories.ExerciseFactory(name="Calf " * 30)  # 150 characters with the spaces
    response = client_for(clinician.user).post(reverse("rehab:exercise_copy", args=[shared.pk]))
    copy = Exercise.objects.get(clinic=clinician.clinic)
    assert response["Location"] == reverse("rehab:exercise_edit", args=[copy.pk])
    assert len(copy.name) <= 150
    assert copy.name.endswith("… (copy)")


def test_renaming_to_a_name_the_library_has_is_refused(clinician: Clinician) -> None:
    factories.ExerciseFactory(clinic=clinician.clinic, name="Seated calf raise")
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, name="Standing calf raise")
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]), {**FORM, "name": "SEATED calf raise"}
    )
    assert response.status_code == 200
    assert "already has an exercise named" in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.name == "Standing calf raise"
    # Its own name, in other letters, is no clash.
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]), {**FORM, "name": "standing Calf Raise"}
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.name == "standing Calf Raise"


def test_raising_the_earliest_week_past_a_published_template_is_refused_on_the_field(
    clinician: Clinician,
) -> None:
    """(from review) The clinic's published template would otherwise place it early."""
    exercise = factories.ExerciseFactory(
        clinic=clinician.clinic, name="Seated calf raise", earliest_week_operative=6
    )
    protocol = factories.ProtocolFactory(
        clinic=clinician.clinic, name="Our operative plan", is_published=True
    )
    phase = factories.ProtocolPhaseFactory(
        protocol=protocol, name="Early loading", start_week=6, end_week=8
    )
    factories.ProtocolItemFactory(phase=phase, exercise=exercise)
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]),
        {**FORM, "earliest_week_operative": "12"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["earliest_week_operative"]
    assert "“Our operative plan” (v1), phase “Early loading” (starts in week 6)" in errors[0]
    exercise.refresh_from_db()
    assert exercise.earliest_week_operative == 6


def test_an_edit_that_alerts_patients_names_each_of_them_in_the_audit_trail(
    clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    """Moving the earliest safe week later raises an alert on the record of each patient whose
    plan now has the exercise too early (a change of their data); the audit trail named none
    of them (the risk-factor page and a deactivation name the patients they alert or move)."""
    exercise = factories.ExerciseFactory(
        clinic=clinician.clinic, earliest_week_operative=0, earliest_week_non_operative=0
    )
    factories.prescribed(patient, exercise=exercise)
    factories.ExerciseLogFactory(patient=other_patient)  # another patient, not alerted

    response = client_for(clinician.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]),
        {**FORM, "earliest_week_operative": "40", "earliest_week_non_operative": "40"},
    )

    assert response.status_code == 302
    assert list(Alert.objects.values_list("patient_id", "kind")) == [
        (patient.pk, Alert.Kind.EARLY_EXERCISE)
    ]
    assert list(AccessEvent.objects.values_list("action", "patient_ref", "actor_id")) == [
        ("change", patient.pk, clinician.user_id)
    ]


def test_an_archived_exercise_is_not_offered_for_new_plans(
    clinician: Clinician, patient: Patient
) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, name="Zebra step")
    client = client_for(clinician.user)
    client.post(reverse("rehab:exercise_archive", args=[exercise.pk]), follow=True)
    exercise.refresh_from_db()
    assert not exercise.is_published
    plan = factories.PlanFactory(patient=patient, status="draft")
    factories.PlanPhaseFactory(plan=plan)
    page = client.get(reverse("rehab:plan_builder", args=[plan.pk]), {"q": "Zebra"})
    assert "Zebra step" not in page.content.decode()
    client.post(reverse("rehab:exercise_restore", args=[exercise.pk]), follow=True)
    page = client.get(reverse("rehab:plan_builder", args=[plan.pk]), {"q": "Zebra"})
    assert "Zebra step" in page.content.decode()


def test_a_plan_from_a_template_leaves_out_an_archived_exercise_and_says_so(
    clinician: Clinician, patient: Patient
) -> None:
    """The archive says "no longer offered for new plans": a plan made from a template that
    holds the exercise leaves it out and the builder names it; the template shows it archived;
    a plan made before keeps it."""
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, name="Zebra step")
    protocol = factories.ProtocolFactory(clinic=clinician.clinic, name="Our operative plan")
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=0, end_week=4)
    factories.ProtocolItemFactory(phase=phase, order=1, exercise__name="Ankle circles")
    factories.ProtocolItemFactory(phase=phase, order=2, exercise=exercise)
    client = client_for(clinician.user)
    url = reverse("rehab:plan_create", args=[patient.pk])
    client.post(url, {"template": protocol.pk, "name": "Before"})
    client.post(reverse("rehab:exercise_archive", args=[exercise.pk]), follow=True)

    page = client.post(url, {"template": protocol.pk, "name": "After"}, follow=True)

    after = Prescription.objects.filter(phase__plan__name="After")
    assert [rx.exercise.name for rx in after] == ["Ankle circles"]
    assert "Zebra step" in page.content.decode()
    assert "archived" in page.content.decode()
    before = Prescription.objects.filter(phase__plan__name="Before")
    assert sorted(rx.exercise.name for rx in before) == ["Ankle circles", "Zebra step"]
    page = client.get(reverse("rehab:template_detail", args=[protocol.pk]))
    assert "Zebra step" in page.content.decode()
    assert "archived: left out of new plans" in page.content.decode()
    # Nor can it be added again to a template (or, above, to a plan from the library panel).
    draft = protocol_services.template_draft(protocol=protocol, created_by=clinician.user)
    draft_phase = draft.phases.get()
    page = client.post(
        reverse("rehab:template_item_add", args=[draft_phase.pk]),
        {f"add-{draft_phase.pk}-exercise": exercise.pk},
        follow=True,
    )
    assert "Choose an exercise from the list." in page.content.decode()
    assert draft_phase.items.filter(exercise=exercise).count() == 1  # the copy it began with


def test_a_photo_is_added_and_shown(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_media_add", args=[exercise.pk]),
        {"upload": media.upload("heel.jpg", media.jpeg_bytes()), "description": "Side view"},
    )
    assert response.status_code == 302
    photo = exercise.media.get()
    assert photo.kind == ExerciseMedia.Kind.PHOTO
    assert photo.file.name.startswith(f"exercises/clinic-{clinician.clinic_id}/")
    assert "heel" not in photo.file.name
    page = client_for(clinician.user).get(reverse("rehab:library_detail", args=[exercise.pk]))
    assert reverse("rehab:media_thumbnail", args=[photo.key]) in page.content.decode()
    assert 'alt="Side view"' in page.content.decode()


def test_a_photo_sent_twice_is_added_once(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    url = reverse("rehab:exercise_media_add", args=[exercise.pk])
    for _ in range(2):  # a double click
        client_for(clinician.user).post(
            url, {"upload": media.upload("heel.jpg", media.jpeg_bytes()), "description": "Side"}
        )
    assert exercise.media.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.jpg", b"", "The file is empty"),
        ("drawing.png", media.SVG, "not a photo"),
        ("photo.jpg", media.jpeg_bytes() + media.HTML, "web page code"),
        ("bomb.png", media.png_bomb_bytes(), "too large in pixels"),
        ("photo.png", media.jpeg_bytes(), "contains a JPEG image"),
    ],
)
def test_a_bad_upload_is_refused_on_the_page_and_nothing_is_stored(
    clinician: Clinician, name: str, data: bytes, message: str
) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    before = stored_files()
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_media_add", args=[exercise.pk]),
        {"upload": media.upload(name, data)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not exercise.media.exists()
    assert stored_files() == before


def test_removing_a_photo_deletes_its_files(
    clinician: Clinician, django_capture_on_commit_callbacks: Any
) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    photo = factories.ExerciseMediaFactory(exercise=exercise)
    path = Path(photo.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clinician.user).post(
            reverse("rehab:exercise_media_remove", args=[exercise.pk, photo.key])
        )
    assert response.status_code == 302
    assert not exercise.media.exists()
    assert not path.exists()


def test_the_history_is_for_the_clinic_admin(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    client_for(clinician.user).post(reverse("rehab:exercise_create"), FORM)
    exercise = Exercise.objects.get(name=FORM["name"])
    client_for(clinician.user).post(
        reverse("rehab:exercise_edit", args=[exercise.pk]), {**FORM, "summary": "Shorter."}
    )
    url = reverse("rehab:exercise_history", args=[exercise.pk])
    assert client_for(clinician.user).get(url).status_code == 404
    page = client_for(admin.user).get(url).content.decode()
    assert "Created" in page
    assert "Changed" in page
    assert "Shorter." in page
    assert clinician.user.get_full_name() in page
    # The browser tab names the page once ("History of X – Rehab"; it read "History of X – X –
    # Rehab", base.html's title block naming the page again).
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None
    assert " ".join(title.group(1).split()) == f"History of {exercise.name} – {settings.SITE_NAME}"


def test_instructions_updated_at_is_set_by_a_photo(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    before = timezone.now()
    client_for(clinician.user).post(
        reverse("rehab:exercise_media_add", args=[exercise.pk]),
        {"upload": media.upload("clip.webm", media.clip("clip.webm"))},
    )
    exercise.refresh_from_db()
    assert exercise.media.get().kind == ExerciseMedia.Kind.VIDEO
    assert exercise.instructions_updated_at is not None
    assert exercise.instructions_updated_at >= before
