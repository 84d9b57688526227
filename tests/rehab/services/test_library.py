"""The exercise library's services (rehab.services.library): an earliest safe week moved later
is refused while a published template places the exercise before it (clinical.md §2:
templates follow the guardrails without exceptions)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from clinic.models import Clinic, Patient
from core.resubmit import RESUBMIT_WINDOW
from rehab.models.library import Exercise, ExerciseMedia
from rehab.models.protocols import Protocol
from rehab.services import library as library_services
from rehab.services import protocols as protocol_services
from tests import factories
from tests.rehab.clinical_loop import published_early_items
from tests.threads import in_threads

pytestmark = pytest.mark.django_db


def _template(
    *,
    clinic: object,
    exercise: Exercise,
    start_week: int,
    name: str = "Early loading",
    **kw: object,
) -> Protocol:
    protocol = factories.ProtocolFactory(clinic=clinic, name=name, is_published=True, **kw)
    phase = factories.ProtocolPhaseFactory(
        protocol=protocol, name="Protected walking", start_week=start_week, end_week=start_week + 2
    )
    factories.ProtocolItemFactory(phase=phase, exercise=exercise)
    return protocol


def test_clinic_raising_an_exercises_earliest_week_rechecks_its_published_templates(
    clinician,
) -> None:
    # (from review) the raise left the clinic's published template placing it early.
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, earliest_week_operative=6)
    protocol = factories.ProtocolFactory(clinic=clinician.clinic, is_published=True)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=6, end_week=8)
    factories.ProtocolItemFactory(phase=phase, exercise=exercise)
    assert published_early_items() == []
    with contextlib.suppress(ValidationError):  # refused: fine
        library_services.clinic_exercise_update(
            exercise=exercise,
            earliest_week_operative=12,
            earliest_week_reason="Later, after a review.",
        )
    assert published_early_items() == []


def test_the_refusal_is_on_the_field_and_names_the_templates_and_phases(clinician) -> None:
    exercise = factories.ExerciseFactory(
        clinic=clinician.clinic, name="Heel raise", earliest_week_operative=6
    )
    _template(clinic=clinician.clinic, exercise=exercise, start_week=6, version="2")
    with pytest.raises(ValidationError) as refused:
        library_services.clinic_exercise_update(
            exercise=exercise, earliest_week_operative=12, earliest_week_reason="Later."
        )
    assert set(refused.value.message_dict) == {"earliest_week_operative"}
    (message,) = refused.value.message_dict["earliest_week_operative"]
    assert "“Early loading” (v2)" in message
    assert "phase “Protected walking” (starts in week 6)" in message
    assert "week 12 or later" in message
    assert "Heel raise" in message
    exercise.refresh_from_db()
    assert exercise.earliest_week_operative == 6
    assert exercise.earliest_week_reason != "Later."


def test_a_raise_the_templates_allow_is_saved(clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, earliest_week_operative=6)
    _template(clinic=clinician.clinic, exercise=exercise, start_week=12)
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_operative=12)
    exercise.refresh_from_db()
    assert exercise.earliest_week_operative == 12


def test_only_the_raised_pathways_templates_are_checked(clinician) -> None:
    exercise = factories.ExerciseFactory(
        clinic=clinician.clinic, earliest_week_operative=6, earliest_week_non_operative=2
    )
    _template(clinic=clinician.clinic, exercise=exercise, start_week=6)  # operative
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=8)
    exercise.refresh_from_db()
    assert exercise.earliest_week_non_operative == 8
    non_operative = _template(
        clinic=clinician.clinic,
        exercise=exercise,
        start_week=8,
        name="Boot",
        pathway=Patient.Pathway.NON_OPERATIVE,
    )
    with pytest.raises(ValidationError) as refused:
        library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=10)
    assert set(refused.value.message_dict) == {"earliest_week_non_operative"}
    assert non_operative.name in refused.value.message_dict["earliest_week_non_operative"][0]


def test_an_edit_that_raises_no_week_is_not_held_up(clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, earliest_week_operative=6)
    _template(clinic=clinician.clinic, exercise=exercise, start_week=6)
    library_services.clinic_exercise_update(
        exercise=exercise, name="Heel raise, both legs", earliest_week_operative=4
    )
    exercise.refresh_from_db()
    assert (exercise.name, exercise.earliest_week_operative) == ("Heel raise, both legs", 4)


def test_drafts_and_replaced_or_archived_versions_do_not_hold_up_a_raise(clinician) -> None:
    """A draft is checked when it is published; old and archived versions offer nothing."""
    exercise = factories.ExerciseFactory(clinic=clinician.clinic, earliest_week_operative=6)
    current = _template(clinic=clinician.clinic, exercise=exercise, start_week=12)
    draft = protocol_services.template_draft(protocol=current, created_by=None)
    draft.phases.update(start_week=6, end_week=8)
    archived = _template(clinic=clinician.clinic, exercise=exercise, start_week=6, name="Old")
    protocol_services.template_archive(protocol=archived)
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_operative=12)
    exercise.refresh_from_db()
    assert exercise.earliest_week_operative == 12
    with pytest.raises(ValidationError, match="earliest safe week"):
        protocol_services.template_publish(draft=draft)


def test_staff_raising_a_shared_exercise_is_refused_while_a_shared_template_places_it_earlier(
    clinician,
) -> None:
    """The staff API's service: shared templates, and clinics' templates using the shared
    exercise, are named with whose they are."""
    exercise = factories.ExerciseFactory(name="Towel stretch", earliest_week_operative=6)
    _template(clinic=None, exercise=exercise, start_week=8, name="Shared plan")
    _template(clinic=clinician.clinic, exercise=exercise, start_week=6, name="Our plan")
    with pytest.raises(ValidationError) as refused:
        library_services.exercise_update(exercise=exercise, earliest_week_operative=10)
    (message,) = refused.value.message_dict["earliest_week_operative"]
    assert "shared template “Shared plan” (v1)" in message
    assert f"{clinician.clinic.name}'s template “Our plan” (v1)" in message
    exercise.refresh_from_db()
    assert exercise.earliest_week_operative == 6
    assert published_early_items() == []


def test_staff_cannot_move_an_exercise_to_another_library_or_rename_its_slug(clinician) -> None:
    """Set when it is made, as the admin has them (read-only once it exists): the library
    (moved, the other clinics' plans and templates would hold an exercise no longer theirs)
    and the slug (the fixtures' natural key). Each is refused on its field; nothing changes."""
    exercise = factories.ExerciseFactory(name="Towel stretch", clinic=None)
    slug = exercise.slug
    with pytest.raises(ValidationError) as refused:
        library_services.exercise_update(
            exercise=exercise, clinic=clinician.clinic, slug="renamed", name="Renamed"
        )
    assert {
        name: [e.code for e in errors] for name, errors in refused.value.error_dict.items()
    } == {
        "clinic": ["set_once"],
        "slug": ["set_once"],
    }
    exercise.refresh_from_db()
    assert (exercise.clinic_id, exercise.slug, exercise.name) == (None, slug, "Towel stretch")
    # The same values are no change.
    library_services.exercise_update(exercise=exercise, clinic=None, slug=slug, name="Renamed")
    exercise.refresh_from_db()
    assert exercise.name == "Renamed"


# --- exercise_create (the shared library, staff) ----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_a_shared_exercise_created_twice_at_once_is_one_row_and_a_clear_refusal() -> None:
    """A staff API client's retry of "create an exercise" sent while the first is still
    running: both passed the slug's uniqueness check before either saved, and the second's
    INSERT failed on the unique slug (an IntegrityError, a 500). It is the slug's refusal now,
    as a retry sent after the first has finished gets."""
    barrier = threading.Barrier(2, timeout=2)
    original = Exercise.save

    def checked_then_wait(self: Exercise, *args: Any, **kwargs: Any) -> None:
        # Both have passed full_clean's uniqueness check before either inserts.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        original(self, *args, **kwargs)

    def create() -> str:
        try:
            library_services.exercise_create(
                slug="seated-heel-raise",
                name="Seated heel raise",
                category="strength",
                summary="Raise both heels while seated.",
                steps=["Sit tall.", "Raise the heels."],
                source="Test source",
                default_sets=3,
                default_reps=10,
            )
        except ValidationError as error:
            return ",".join(error.message_dict)
        return "created"

    with mock.patch.object(Exercise, "save", checked_then_wait):
        answers = in_threads(create, create)

    assert sorted(answers) == ["created", "slug"]
    assert Exercise.objects.filter(slug="seated-heel-raise").count() == 1


# --- exercise_copy ("Copy and adapt") ----------------------------------------------------------


def _differing(original: Any, copy: Any) -> set[str]:
    """The concrete fields whose stored values differ between two rows of one model."""
    return {
        f.name
        for f in type(original)._meta.concrete_fields
        if getattr(original, f.attname) != getattr(copy, f.attname)
    }


def test_a_copy_takes_every_field_of_the_exercise_and_its_photos_but_whose_they_are(
    clinician, colleague
) -> None:
    """Every value a clinician or a plan reads is the original's (each one set apart from its
    default here); only the copy's identity, library, name, slug and times are its own, and
    its photos' files are copies, added by whoever copied."""
    shared = factories.ExerciseFactory(
        category=Exercise.Category.BALANCE,
        patient_name="Heel raise",
        default_hold_seconds=5,
        default_duration_minutes=2,
        default_times_per_day=2,
        default_days_per_week=5,
        side="both",
        video_url="https://video.example.org/heel-raise",
        video_start_seconds=12,
        from_video=True,
        earliest_week_operative=6,
        earliest_week_non_operative=4,
        earliest_week_reason="Load after the boot phase.",
        earliest_week_source="A test guardrail source",
        progresses_to=factories.ExerciseFactory(),
        instructions_updated_at=timezone.now() - dt.timedelta(days=3),
    )
    photo = factories.ExerciseMediaFactory(
        exercise=shared, duration_seconds=7, uploaded_by=colleague.user
    )
    copy = library_services.exercise_copy(
        exercise=shared, clinic=clinician.clinic, created_by=clinician.user
    )
    assert _differing(shared, copy) == {
        "id",
        "clinic",
        "name",
        "slug",
        "from_video",
        "created_at",
        "updated_at",
        "instructions_updated_at",
    }
    assert (copy.name, copy.from_video, copy.instructions_updated_at) == (
        f"{shared.name} (copy)",
        False,
        None,
    )
    (copied_photo,) = copy.media.all()
    assert _differing(photo, copied_photo) == {
        "id",
        "key",
        "exercise",
        "file",
        "thumbnail",
        "uploaded_by",
        "created_at",
    }
    assert copied_photo.uploaded_by == clinician.user


@pytest.mark.parametrize(
    ("model", "copied", "not_copied"),
    [
        (Exercise, library_services.COPIED, library_services.NOT_COPIED),
        (ExerciseMedia, library_services.MEDIA_COPIED, library_services.MEDIA_NOT_COPIED),
    ],
    ids=["exercise", "media"],
)
def test_every_field_is_named_copied_or_not_copied(
    model: Any, copied: tuple[str, ...], not_copied: frozenset[str]
) -> None:
    """A field added to the model fails here until ``rehab.services.library`` says whether a
    copy takes it: the copy's explicit lists cannot silently fall behind the model."""
    fields = [f.name for f in model._meta.concrete_fields]
    assert len(set(copied)) == len(copied)
    assert set(copied) & not_copied == set(), "named both copied and not copied"
    assert set(fields) - set(copied) - not_copied == set(), "named neither copied nor not"
    assert (set(copied) | not_copied) - set(fields) == set(), "named, but not a field"


# --- A clinic's new exercise, sent again -----------------------------------------------------


def _add(clinic: Clinic, name: str, client_uuid: uuid.UUID | None) -> Exercise:
    return library_services.clinic_exercise_create(
        clinic=clinic,
        created_by=None,
        client_uuid=client_uuid,
        name=name,
        category=Exercise.Category.STRENGTH,
        summary="Sit and lift your heels slowly.",
        steps=["Sit tall", "Lift both heels", "Lower slowly"],
        default_sets=2,
        default_reps=10,
        source="Clinic protocol 2026",
    )


def test_the_same_page_sent_again_later_returns_its_exercise() -> None:
    """A retry after the resubmit window carries the page's id: it finds the exercise that id
    added instead of refusing its (now taken) name, whatever was changed since."""
    clinic = factories.ClinicFactory()
    page = uuid.uuid4()
    first = _add(clinic, "Seated calf raise", page)
    library_services.clinic_exercise_update(exercise=first, name="Seated heel raise")
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 10):
        again = _add(clinic, "Seated calf raise", page)
    assert again.pk == first.pk
    assert Exercise.objects.filter(clinic=clinic).count() == 1


def test_two_pages_add_two_exercises() -> None:
    clinic = factories.ClinicFactory()
    _add(clinic, "One", uuid.uuid4())
    _add(clinic, "Two", uuid.uuid4())
    assert Exercise.objects.filter(clinic=clinic).count() == 2
    # Two pages of one name: a real second exercise of that name, refused as without an id.
    with pytest.raises(ValidationError) as refused:
        _add(clinic, "one", uuid.uuid4())
    assert refused.value.error_dict["name"][0].code == "name_in_use"


def test_a_page_id_of_another_clinics_exercise_is_refused() -> None:
    theirs = factories.ExerciseFactory(
        name="Their exercise", clinic=factories.ClinicFactory(), client_uuid=uuid.uuid4()
    )
    clinic = factories.ClinicFactory()
    with pytest.raises(ValidationError) as refused:
        _add(clinic, "Mine", theirs.client_uuid)
    assert refused.value.error_dict["client_uuid"][0].code == "client_uuid_in_use"
    assert "Their exercise" not in str(refused.value)
    assert not Exercise.objects.filter(clinic=clinic).exists()


def test_without_an_id_the_same_name_within_seconds_is_the_same_form() -> None:
    clinic = factories.ClinicFactory()
    first = _add(clinic, "Seated calf raise", None)
    assert _add(clinic, "Seated calf raise", None).pk == first.pk
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 2), pytest.raises(ValidationError):
        _add(clinic, "Seated calf raise", None)
