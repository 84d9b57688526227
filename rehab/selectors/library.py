"""Reads of the exercise library: search, and an exercise's equipment and media as lists."""

from __future__ import annotations

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from rehab.models.library import Exercise


def library_search(
    exercises: QuerySet[Exercise], *, q: str = "", category: str = "", equipment: str = ""
) -> QuerySet[Exercise]:
    """``exercises`` (already limited to what the user may see) matching a search by name or
    summary, a category and an equipment slug. Not evaluated; what a page shows of their
    relations (their equipment, their pictures) it prefetches itself."""
    q = q.strip()
    if q:
        exercises = exercises.filter(Q(name__icontains=q) | Q(summary__icontains=q))
    if category:
        exercises = exercises.filter(category=category)
    if equipment:
        # Through the many-to-many, but an exercise is matched once: the slug names one
        # piece of equipment, and an exercise lists it once. (No DISTINCT: with it, counting
        # a page's exercises compared every column of every one.)
        exercises = exercises.filter(equipment__slug=equipment)
    return exercises.order_by("category", "name", "pk")


# What a row of the library page reads of an exercise (``rehab/builder/library.html``): its
# name, whose, archived, category, default dose (``Exercise.default_dose``) and earliest weeks,
# not its instructions.
LIBRARY_ROW_FIELDS = (
    *("name", "clinic_id", "is_published", "category"),
    *("default_sets", "default_reps", "default_hold_seconds", "default_duration_minutes"),
    *("default_times_per_day", "default_days_per_week", "side"),
    *("earliest_week_operative", "earliest_week_non_operative"),
)


def library_rows(
    exercises: QuerySet[Exercise], *, q: str = "", category: str = "", equipment: str = ""
) -> QuerySet[Exercise]:
    """``library_search`` as the library page lists it: the columns its rows show, and each
    exercise's equipment as a list (one query more)."""
    return (
        library_search(exercises, q=q, category=category, equipment=equipment)
        .only(*LIBRARY_ROW_FIELDS)
        .prefetch_related(equipment_list())
    )


def equipment_list(through: str = "") -> Prefetch:
    """The prefetch of an exercise's equipment as a list, its ``equipment_list``, for rows
    that reach it ``through`` a foreign key (``"exercise__"``), or the exercises themselves."""
    return Prefetch(f"{through}equipment", to_attr="equipment_list")


def equipment_and_media(through: str = "exercise__") -> tuple[Prefetch, Prefetch]:
    """The prefetches of an exercise's equipment and its photos and videos as lists, its
    ``equipment_list`` and ``media_list``, for rows that reach it ``through`` a foreign key (a
    prescription's or a template item's ``exercise__``): what ``ExerciseBriefSerializer`` and
    Today's cards read. Lists rather than the managers' ``all()``, which builds a queryset for
    every exercise (a plan's dozens) when prefetched and again when read. Two queries."""
    return (
        equipment_list(through),
        Prefetch(f"{through}media", to_attr="media_list"),
    )
