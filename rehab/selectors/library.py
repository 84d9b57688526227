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


def equipment_and_media(through: str = "exercise__") -> tuple[Prefetch, Prefetch]:
    """The prefetches of an exercise's equipment and its photos and videos as lists, its
    ``equipment_list`` and ``media_list``, for rows that reach it ``through`` a foreign key (a
    prescription's or a template item's ``exercise__``): what ``ExerciseBriefSerializer`` and
    Today's cards read. Lists rather than the managers' ``all()``, which builds a queryset for
    every exercise (a plan's dozens) when prefetched and again when read. Two queries."""
    return (
        Prefetch(f"{through}equipment", to_attr="equipment_list"),
        Prefetch(f"{through}media", to_attr="media_list"),
    )
