"""rehab's answers to the clinic app's patient events (connected in ``RehabConfig.ready``)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete
from django.utils.translation import gettext

from clinic.models import Patient
from rehab.models.library import Exercise, ExerciseMedia
from rehab.models.media import MediaFields
from rehab.models.plans import PrescriptionMedia
from rehab.services import alerts as alert_services
from rehab.services import course as course_services
from rehab.services import template_rules

logger = logging.getLogger(__name__)


def on_patient_course_changed(
    sender: type[Patient], *, patient: Patient, previous_timezone: str = "", **_: Any
) -> None:
    """The plans follow the corrected date, pathway or time zone (refused while an exercise
    would then start early without a reason); a reason given for a later start than the
    patient's now alerts their clinician."""
    followed = course_services.plans_follow_anchor(
        patient=patient, previous_timezone=previous_timezone
    )
    if followed.plan is not None and followed.outdated:
        alert_services.alert_reasons_outdated(
            plan=followed.plan,
            placements=followed.outdated,
            change=gettext("a corrected surgery or injury date, pathway or time zone"),
        )


def on_exercise_earliest_weeks_raised(
    sender: type[Exercise], *, exercise: Exercise, **_: Any
) -> None:
    alert_services.alert_now_early(exercise=exercise)


def on_exercise_earliest_weeks_raising(
    sender: type[Exercise], *, exercise: Exercise, weeks: dict[str, int], **_: Any
) -> None:
    template_rules.refuse_raise_before_templates(exercise=exercise, weeks=weeks)


def on_patient_left_care(sender: type[Patient], *, patient: Patient, **_: Any) -> None:
    course_services.plans_complete_for(patient=patient)


# --- Media files: a deleted row's files leave the storage -----------------------------------


def on_media_deleted(sender: type[Model], *, instance: MediaFields, **_: Any) -> None:
    """Delete the row's files from the storage once the deletion is committed (also when the
    row goes with its exercise or prescription). A file the storage fails to delete is logged
    and left: the change is committed, so its answer (an erasure's, with its audit row) must
    not become a server error."""
    storage = instance.file.storage
    names = [name for name in (instance.file.name, instance.thumbnail.name) if name]

    def delete_files() -> None:
        for name in names:
            try:
                storage.delete(name)
            except Exception:
                logger.exception("Could not delete the media file %s from the storage", name)

    transaction.on_commit(delete_files)


def connect_media_files() -> None:
    for model in (ExerciseMedia, PrescriptionMedia):
        post_delete.connect(
            on_media_deleted, sender=model, dispatch_uid=f"rehab.media_files.{model.__name__}"
        )
