"""The exercise library: shared exercises written by staff through the API (the admin writes
through its own forms), and a clinic's own exercises written on the clinic's pages."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clinic.models import Clinic, User
from core.resubmit import resubmit_since, sent_before
from rehab import events
from rehab.models.library import EXERCISE_NAME_MAX_LENGTH, Exercise, ExerciseMedia, Pathway

# (Added for rehab/api: the admin writes through its own forms.)


def _save(exercise: Exercise, equipment: Iterable[Any] | None) -> Exercise:
    """Validate and save ``exercise``; ``equipment``, if given, replaces its equipment."""
    exercise.full_clean()
    exercise.save()
    if equipment is not None:
        exercise.equipment.set(list(equipment))
    return exercise


def earliest_weeks(exercise: Exercise) -> tuple[int, int]:
    return exercise.earliest_week_operative, exercise.earliest_week_non_operative


def announce_if_raised(exercise: Exercise, before: tuple[int, int]) -> None:
    """Tell plans and alerts (``events.exercise_earliest_weeks_raised``) when either earliest
    safe week of ``exercise`` moved later than ``before``."""
    if any(now > then for now, then in zip(earliest_weeks(exercise), before, strict=True)):
        events.exercise_earliest_weeks_raised.send(sender=Exercise, exercise=exercise)


@transaction.atomic
def refuse_raise_over_templates(exercise: Exercise, weeks: tuple[int, int]) -> None:
    """Refuse to move an earliest safe week of ``exercise`` later, to ``weeks`` (operative,
    non-operative), while a published template places the exercise in a phase that would then
    start before it (``events.exercise_earliest_weeks_raising``: the templates answer).

    The one check of every edit of an exercise (the library's services, the admin's form):
    ``ValidationError`` on the earliest-week field, naming the templates and phases to move
    it in first. The exercise is locked (a template published at the same time waits)."""
    if exercise.pk is None:
        return
    saved = (
        Exercise.objects.select_for_update()
        .filter(pk=exercise.pk)
        .values_list("earliest_week_operative", "earliest_week_non_operative")
        .first()
    )
    if saved is None:
        return
    raised = {
        pathway: week
        for pathway, week, then in zip(
            (Pathway.OPERATIVE, Pathway.NON_OPERATIVE), weeks, saved, strict=True
        )
        if week is not None and week > then
    }
    if raised:
        events.exercise_earliest_weeks_raising.send(
            sender=Exercise, exercise=exercise, weeks=raised
        )


def _save_edit(
    exercise: Exercise, equipment: Iterable[Any] | None, *, before: tuple[int, int]
) -> Exercise:
    """Save an edit of ``exercise`` whose earliest safe weeks were ``before``: refused while
    it moves one later than a published template places the exercise
    (``refuse_raise_over_templates``), else saved (``_save``) and a raise announced
    (``announce_if_raised``)."""
    refuse_raise_over_templates(exercise, earliest_weeks(exercise))
    _save(exercise, equipment)
    announce_if_raised(exercise, before)
    return exercise


@transaction.atomic
def exercise_create(*, equipment: Iterable[Any] = (), **fields: Any) -> Exercise:
    """Add an exercise to the library (``clinic`` empty: the shared library). Its slug is its
    natural key: a slug in use is refused, also when the same request is sent twice at once
    (both pass the check before either saves; the second's INSERT then fails on the unique
    slug, and gets the same refusal)."""
    exercise = Exercise(**fields)
    try:
        with transaction.atomic():
            return _save(exercise, equipment)
    except IntegrityError:
        if not Exercise.objects.filter(slug=exercise.slug).exists():
            raise
        raise ValidationError(
            {
                "slug": ValidationError(
                    _("An exercise with this slug already exists."), code="unique"
                )
            }
        ) from None


def refuse_set_once_changes(exercise: Exercise, fields: dict[str, Any]) -> None:
    """Refuse a change of what is set when an exercise is made, as the admin shows them
    read-only once it exists (``rehab.admin``): its library (moved, the other clinics'
    templates and plans would hold an exercise no longer theirs) and its slug (the natural
    key the fixtures load by: renamed, the next ``loaddata`` would make a duplicate). The same
    value is no change."""
    messages = {
        "clinic": _(
            "An exercise stays in the library it was made in: other clinics' templates and "
            "plans may use it. Make a new exercise instead."
        ),
        "slug": _("The slug is fixed once the exercise exists: the fixtures load by it."),
    }
    saved = {"clinic": exercise.clinic_id, "slug": exercise.slug}
    changed = {
        name: ValidationError(message, code="set_once")
        for name, message in messages.items()
        if name in fields and getattr(fields[name], "pk", fields[name]) != saved[name]
    }
    if changed:
        raise ValidationError(changed)


@transaction.atomic
def exercise_update(
    *, exercise: Exercise, equipment: Iterable[Any] | None = None, **fields: Any
) -> Exercise:
    """Change a library exercise; ``equipment``, if given, replaces its equipment. A
    change of its library or its slug is refused (``refuse_set_once_changes``)."""
    refuse_set_once_changes(exercise, fields)
    before = earliest_weeks(exercise)
    for name, value in fields.items():
        setattr(exercise, name, value)
    return _save_edit(exercise, equipment, before=before)


@transaction.atomic
def exercise_delete(*, exercise: Exercise) -> None:
    """Delete an exercise no protocol or plan uses (those are kept: unpublish them instead)."""
    try:
        with transaction.atomic():
            exercise.delete()
    except IntegrityError:  # ProtectedError: a protocol item or prescription refers to it
        raise ValidationError(
            _(
                "This exercise is used by a protocol template or a patient's plan, so it cannot "
                "be deleted. Unpublish it instead."
            ),
            code="exercise_in_use",
        ) from None


# --- A clinic's own exercises (the clinic's pages) --------------------------------------------

# What the patient reads or sees: a change to any of these is shown to them as "updated on".
PATIENT_FACING_FIELDS = frozenset(
    {
        "name",
        "patient_name",
        "patient_summary",
        "steps",
        "cues",
        "patient_safety_notes",
        "video_url",
        "video_start_seconds",
    }
)
# "Copy and adapt" (``exercise_copy``), field by field. Every concrete field of ``Exercise`` and
# ``ExerciseMedia`` is named once, copied or not (tests/rehab/services/test_library.py fails on
# a field added to the model and named in neither), so a new field is decided, not forgotten.
# What a copy takes from its original: everything a clinician or a plan reads of it (the name
# too, made "… (copy)").
COPIED = (
    "name",
    "category",
    "summary",
    "steps",
    "cues",
    "safety_notes",
    "patient_name",
    "patient_summary",
    "patient_safety_notes",
    "default_sets",
    "default_reps",
    "default_hold_seconds",
    "default_duration_minutes",
    "default_times_per_day",
    "default_days_per_week",
    "side",
    "video_url",
    "video_start_seconds",
    "source",
    "earliest_week_operative",
    "earliest_week_non_operative",
    "earliest_week_reason",
    "earliest_week_source",
    "progresses_to",
)
# What it does not: its own id, library, slug and times; it is the clinic's own, not made from
# a video, and published (the field's default).
NOT_COPIED = frozenset(
    {
        "id",
        "clinic",
        "slug",
        "from_video",
        "is_published",
        "created_at",
        "updated_at",
        "instructions_updated_at",
        "client_uuid",
    }
)
# What a copy of a photo or video takes from the original's row; the files themselves are
# copied apart (``file``, ``thumbnail``).
MEDIA_COPIED = (
    "kind",
    "content_type",
    "size",
    "width",
    "height",
    "duration_seconds",
    "description",
)
# What it does not: its own id, key, exercise and time, copies of the files, and who added it
# (whoever copied).
MEDIA_NOT_COPIED = frozenset(
    {"id", "key", "exercise", "file", "thumbnail", "uploaded_by", "created_at", "client_uuid"}
)


def _clinic_slug(name: str) -> str:
    base = slugify(name)[:80].strip("-") or "exercise"
    return f"{base}-{secrets.token_hex(4)}"


def _same_name(clinic_id: int, name: str, *, besides: Exercise | None = None) -> Exercise | None:
    """The clinic's own exercise of this name (letter case aside), ``besides`` left out."""
    rows = Exercise.objects.filter(clinic_id=clinic_id, name__iexact=name.strip())
    if besides is not None:
        rows = rows.exclude(pk=besides.pk)
    return rows.order_by("pk").first()


def _just_added(exercise: Exercise) -> bool:
    """Added within ``core.resubmit.RESUBMIT_WINDOW``: asked for again, it is the same form sent twice."""
    return exercise.created_at > resubmit_since()


def _name_in_use(same: Exercise) -> ValidationError:
    """Two exercises of one name cannot be told apart in a plan."""
    return ValidationError(
        {
            "name": ValidationError(
                _(
                    "Your clinic's library already has an exercise named “%(name)s”: "
                    "open it from the library, or choose another name."
                )
                % {"name": same.name},
                code="name_in_use",
            )
        }
    )


def _check_progression(exercise: Exercise) -> None:
    target = exercise.progresses_to
    if target is not None and target.clinic_id not in (None, exercise.clinic_id):
        raise ValidationError(
            {"progresses_to": _("Choose an exercise of the shared library or of your clinic.")},
            code="other_clinic",
        )


@transaction.atomic
def clinic_exercise_create(
    *,
    clinic: Clinic,
    created_by: User | None,
    equipment: Iterable[Any] = (),
    client_uuid: UUID | None = None,
    **fields: Any,
) -> Exercise:
    """Add an exercise to ``clinic``'s own library (published: offered for plans at once).

    Sent again with the same ``client_uuid`` (the page's), however late and whatever was
    changed since, it returns the exercise that id added. A name the clinic's library already
    has is refused (two exercises of one name cannot be told apart in a plan), unless, without
    an id (an older page), it was added within ``core.resubmit.RESUBMIT_WINDOW``: then this is
    the same form sent twice, and the exercise it added is returned."""
    unknown = set(fields) & {"clinic", "slug", "is_published", "from_video"}
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    Clinic.objects.lock(clinic.pk)  # one add at a time
    if client_uuid is not None and (
        stored := sent_before(
            Exercise.objects.all(),
            client_uuid,
            mine=lambda exercise: exercise.clinic_id == clinic.pk,
            refused=_("This id is already in use: open the page again to add a new exercise."),
        )
    ):
        return stored
    same = _same_name(clinic.pk, str(fields.get("name", "")))
    if same is not None:
        if client_uuid is None and _just_added(same):
            return same
        raise _name_in_use(same)
    exercise = Exercise(
        clinic=clinic,
        slug=_clinic_slug(fields.get("name", "")),
        client_uuid=client_uuid,
        **fields,
    )
    _check_progression(exercise)
    return _save(exercise, equipment)


@transaction.atomic
def clinic_exercise_update(
    *, exercise: Exercise, equipment: Iterable[Any] | None = None, **fields: Any
) -> Exercise:
    """Change a clinic's own exercise. Patients following it see the new instructions with
    "updated on …" (``instructions_updated_at``); its history keeps who changed what. A new
    name the clinic's library already has is refused, as when adding."""
    if exercise.clinic_id is None:
        raise ValidationError(_("Shared exercises are changed by site staff."), code="shared")
    locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if "name" in fields and str(fields["name"]).strip().lower() != locked.name.lower():
        Clinic.objects.lock(locked.clinic_id)  # as an add
        same = _same_name(locked.clinic_id, str(fields["name"]), besides=locked)
        if same is not None:
            raise _name_in_use(same)
    before = earliest_weeks(locked)
    changed = {
        name for name, value in fields.items() if getattr(locked, name) != value
    } & PATIENT_FACING_FIELDS
    for name, value in fields.items():
        if name in {"clinic", "slug", "from_video"}:
            raise ValidationError(_("%(name)s cannot be changed here.") % {"name": name})
        setattr(locked, name, value)
    if changed:
        locked.instructions_updated_at = timezone.now()
    _check_progression(locked)
    return _save_edit(locked, equipment, before=before)


@transaction.atomic
def clinic_exercise_archive(*, exercise: Exercise, archived: bool = True) -> Exercise:
    """Archive (no longer offered for new plans; plans that have it keep it) or restore."""
    if exercise.clinic_id is None:
        raise ValidationError(_("Shared exercises are changed by site staff."), code="shared")
    exercise.is_published = not archived
    exercise.save(update_fields=["is_published", "updated_at"])
    return exercise


def _copy_name(name: str, number: int) -> str:
    """ "Name (copy)", then "Name (copy 2)" and so on: the name shortened to fit the field."""
    label = _("%(name)s (copy)") if number == 1 else _("%(name)s (copy %(number)s)")
    room = EXERCISE_NAME_MAX_LENGTH - len(label % {"name": "", "number": number})
    base = name if len(name) <= room else name[: room - 1].rstrip() + "…"
    return label % {"name": base, "number": number}


@transaction.atomic
def exercise_copy(*, exercise: Exercise, clinic: Clinic, created_by: User | None) -> Exercise:
    """ "Copy and adapt": a new exercise of ``clinic`` with the fields of ``exercise`` (a shared
    one or the clinic's own) that a copy takes (``COPIED``), its equipment, and its photos'
    rows (``MEDIA_COPIED``) pointing at copies of the files.

    It is named "… (copy)", or "… (copy 2)" and so on when the clinic's library has that name
    already: two of one name cannot be told apart in a plan. A copy asked for again within
    ``core.resubmit.RESUBMIT_WINDOW`` of the last one is the same form sent twice: that copy is returned."""
    fields = {name: getattr(exercise, name) for name in COPIED}
    Clinic.objects.lock(clinic.pk)  # one add at a time
    last_copy = None
    for number in itertools.count(1):
        fields["name"] = _copy_name(exercise.name, number)
        same = _same_name(clinic.pk, fields["name"])
        if same is None:
            break
        last_copy = same
    if last_copy is not None and _just_added(last_copy):
        return last_copy
    copy = Exercise(clinic=clinic, slug=_clinic_slug(exercise.name), **fields)
    copy.full_clean()
    copy.save()
    copy.equipment.set(list(exercise.equipment.all()))
    for media in ExerciseMedia.objects.filter(exercise=exercise):
        duplicate = ExerciseMedia(
            exercise=copy,
            uploaded_by=created_by,
            **{name: getattr(media, name) for name in MEDIA_COPIED},
        )
        for name in ("file", "thumbnail"):
            source = getattr(media, name)
            if source:
                with source.open("rb") as handle:
                    getattr(duplicate, name).save(
                        "copy" + PurePath(source.name).suffix, File(handle), save=False
                    )
        duplicate.save()
    return copy
