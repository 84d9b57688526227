"""Reads of the exercise library: search."""

from __future__ import annotations

from django.db.models import (
    Q,
    QuerySet,
)

from rehab.models.library import Exercise


def library_search(
    exercises: QuerySet[Exercise], *, q: str = "", category: str = "", equipment: str = ""
) -> QuerySet[Exercise]:
    """``exercises`` (already limited to what the user may see) matching a search by name or
    summary, a category and an equipment slug; equipment prefetched (one more query)."""
    q = q.strip()
    if q:
        exercises = exercises.filter(Q(name__icontains=q) | Q(summary__icontains=q))
    if category:
        exercises = exercises.filter(category=category)
    if equipment:
        exercises = exercises.filter(equipment__slug=equipment)
    return exercises.prefetch_related("equipment").order_by("category", "name", "pk").distinct()
