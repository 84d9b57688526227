"""Rendered pieces of pages that depend only on a library row, cached across requests.

An exercise's instructions (summary, steps, tips, safety notes, video link) are the same for
every patient who has it in a plan, so the Today page renders them once per exercise, version
and language, not once per card and request. The key holds the exercise's id, its
``updated_at``, the active language and a digest of the fields shown, so an edit (or a fixture
reloaded over the row with the same ``updated_at``) shows at once: a changed row is a new key,
never a stale entry. Nothing about a patient is ever in these fragments.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from rehab.models.library import Exercise

logger = logging.getLogger(__name__)

INSTRUCTIONS_TEMPLATE = "rehab/me/_instructions.html"
# Raise when INSTRUCTIONS_TEMPLATE changes, so a shared cache drops the old markup at once.
INSTRUCTIONS_VERSION = 1
INSTRUCTIONS_TTL = 24 * 60 * 60


def video_start(seconds: int) -> str:
    """A video's start time as the patient reads it: 95 → "1:35"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _instructions_key(exercise: Exercise) -> str:
    shown = [
        exercise.summary,
        exercise.steps,
        exercise.cues,
        exercise.safety_notes,
        exercise.video_url,
        exercise.video_start_seconds,
    ]
    digest = hashlib.blake2b(
        json.dumps(shown, ensure_ascii=False).encode(), digest_size=12
    ).hexdigest()
    stamp = exercise.updated_at.timestamp() if exercise.updated_at else ""
    return (
        f"rehab:instructions:{INSTRUCTIONS_VERSION}:{exercise.pk}:{stamp}:"
        f"{get_language() or ''}:{digest}"
    )


def exercise_instructions(exercises: Iterable[Exercise]) -> dict[int, SafeString]:
    """Each exercise's rendered instructions by id: one cache read for all of them, and a render
    (stored for the next request) only for those not cached yet."""
    exercises = list(exercises)
    keys = {exercise.pk: _instructions_key(exercise) for exercise in exercises}
    if not keys:
        return {}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # a cache that is down costs a render, never the page
        logger.warning("fragments: cache unavailable", exc_info=True)
        found = {}
    html: dict[int, SafeString] = {}
    missing: dict[str, SafeString] = {}
    for exercise in exercises:
        key = keys[exercise.pk]
        cached = found.get(key)
        if isinstance(cached, SafeString):  # our own render, kept as such (pickled)
            html[exercise.pk] = cached
            continue
        rendered = render_to_string(
            INSTRUCTIONS_TEMPLATE,
            {"exercise": exercise, "video_start": video_start(exercise.video_start_seconds)},
        )
        html[exercise.pk] = missing[key] = rendered
    if missing:
        try:
            cache.set_many(missing, INSTRUCTIONS_TTL)
        except Exception:
            logger.warning("fragments: cache unavailable", exc_info=True)
    return html
