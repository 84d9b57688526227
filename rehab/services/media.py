"""Writes of photos and videos: an exercise's (its clinic's clinicians, or site staff for the
shared library) and a patient's own on a prescription.

The file is checked by ``rehab.uploads.clean_media`` first; nothing is stored if it is refused.
Files are written through Django's storage API; a removed row's files are deleted from the
storage once the transaction has committed (``rehab.receivers.on_media_deleted``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import User
from core.resubmit import resubmit_since, sent_before
from rehab.models.library import Exercise, ExerciseMedia
from rehab.models.media import MediaFields
from rehab.models.plans import Prescription, PrescriptionMedia
from rehab.uploads import PHOTO, clean_media, clean_poster

MEDIA_PER_EXERCISE = 12
MEDIA_PER_PRESCRIPTION = 6


def _fill(media: MediaFields, *, upload: File[Any], poster: File[Any] | None) -> list[str]:
    """Check ``upload`` (and ``poster``) and store them on ``media``; the stored names."""
    clean = clean_media(upload)
    thumbnail = clean.thumbnail
    if poster is not None:
        if clean.kind == PHOTO:
            raise ValidationError(
                {"poster": _("A poster is only for a video; a photo is its own picture.")},
                code="poster_for_photo",
            )
        thumbnail = clean_poster(poster)
    media.kind = clean.kind
    media.content_type = clean.content_type
    media.size = clean.size
    media.width = clean.width
    media.height = clean.height
    media.duration_seconds = clean.duration_seconds
    stored: list[str] = []
    try:
        media.file.save(clean.file.name or "file", clean.file, save=False)
        stored.append(media.file.name or "")
        if thumbnail is not None:
            media.thumbnail.save(thumbnail.name or "thumbnail.jpg", thumbnail, save=False)
            stored.append(media.thumbnail.name or "")
    except Exception:
        _delete_files(stored, media)
        raise
    return stored


def _delete_files(names: list[str], media: MediaFields) -> None:
    storage = media.file.storage
    for name in names:
        if name:
            storage.delete(name)


def _save_row(media: MediaFields, stored: list[str]) -> None:
    """Write the row of files ``_fill`` stored; if it cannot be written, the files go too."""
    try:
        media.full_clean(exclude=["file", "thumbnail", "uploaded_by"])
        media.save()
    except Exception:
        _delete_files(stored, media)
        raise


def _remove(media: MediaFields) -> None:
    media.delete()  # rehab.receivers deletes its files once this is committed


def _touch_instructions(exercise: Exercise) -> None:
    Exercise.objects.filter(pk=exercise.pk).update(
        instructions_updated_at=timezone.now(), updated_at=timezone.now()
    )


def _add[M: MediaFields](
    media: M,
    rows: QuerySet[M],
    *,
    every: QuerySet[M],
    upload: File[Any],
    poster: File[Any] | None,
    limit: int,
    too_many: str,
) -> tuple[M, bool]:
    """Check and store ``media``'s files, then its row beside ``rows`` (its owner's, locked
    first, so two at once find each other), at most ``limit`` of them (else ``too_many``).
    Sent again with the same ``media.client_uuid`` (the form's), however late, the row that id
    added (of ``every``, the model's rows) is returned and nothing is stored. Without one (an
    older page), the same file (its stored size and picture) with the same description, added
    by the same person moments ago, is the same form sent twice: the files just stored go and
    that one is returned. Returns ``(media, created)``."""
    if media.client_uuid is not None and (
        found := sent_before(
            every,
            media.client_uuid,
            mine=lambda row: rows.filter(pk=row.pk).exists(),
            refused=_(
                "This id is already in use: open the page again to add a new photo or video."
            ),
        )
    ):
        return found, False
    stored = _fill(media, upload=upload, poster=poster)
    if media.client_uuid is None and (
        same := rows.filter(
            kind=media.kind,
            size=media.size,
            width=media.width,
            height=media.height,
            description=media.description,
            uploaded_by=media.uploaded_by,
            created_at__gt=resubmit_since(),
        )
        .order_by("-pk")
        .first()
    ):
        _delete_files(stored, media)
        return same, False
    if rows.count() >= limit:
        _delete_files(stored, media)
        raise ValidationError(too_many, code="too_many_media")
    _save_row(media, stored)
    return media, True


@transaction.atomic
def exercise_media_add(
    *,
    exercise: Exercise,
    upload: File[Any],
    description: str = "",
    poster: File[Any] | None = None,
    uploaded_by: User | None,
    client_uuid: UUID | None = None,
) -> ExerciseMedia:
    """Add a photo or video to an exercise. Patients who follow it see it, marked updated.
    The same upload sent again (``_add``) returns the one already added."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    media = ExerciseMedia(
        exercise=exercise,
        description=description.strip(),
        uploaded_by=uploaded_by,
        client_uuid=client_uuid,
    )
    media, created = _add(
        media,
        exercise.media.all(),
        every=ExerciseMedia.objects.all(),
        upload=upload,
        poster=poster,
        limit=MEDIA_PER_EXERCISE,
        too_many=_("An exercise can have at most %(n)s photos and videos; remove one first.")
        % {"n": MEDIA_PER_EXERCISE},
    )
    if created:
        _touch_instructions(exercise)
    return media


@transaction.atomic
def exercise_media_remove(*, media: ExerciseMedia) -> None:
    exercise = media.exercise
    _remove(media)
    _touch_instructions(exercise)


@transaction.atomic
def prescription_media_add(
    *,
    prescription: Prescription,
    upload: File[Any],
    description: str = "",
    poster: File[Any] | None = None,
    uploaded_by: User | None,
    client_uuid: UUID | None = None,
) -> PrescriptionMedia:
    """Attach a photo or video made for this patient to their prescription. The same upload
    sent again (``_add``) returns the one already attached."""
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if prescription.retired_at is not None:
        raise ValidationError(
            _("This exercise was retired from the plan; attach the video to its current one."),
            code="retired",
        )
    media = PrescriptionMedia(
        prescription=prescription,
        description=description.strip(),
        uploaded_by=uploaded_by,
        client_uuid=client_uuid,
    )
    media, created = _add(
        media,
        prescription.media.all(),
        every=PrescriptionMedia.objects.all(),
        upload=upload,
        poster=poster,
        limit=MEDIA_PER_PRESCRIPTION,
        too_many=_("An exercise can have at most %(n)s of the patient's own photos and videos.")
        % {"n": MEDIA_PER_PRESCRIPTION},
    )
    if not created:
        return media
    # The plan's pages show it: treat it as an edit of the patient's data.
    Prescription.objects.filter(pk=prescription.pk).update(updated_at=timezone.now())
    return media


@transaction.atomic
def prescription_media_remove(*, media: PrescriptionMedia) -> None:
    _remove(media)
