"""Shared by the data migrations that reword the shipped library's steps (0018, 0020): a shipped
exercise whose steps are still as shipped gets the new ones, and patients following it see
"Instructions updated"; one a clinic or the staff changed since is left as it is. Django's
migration loader skips this module (its name starts with "_"); keep it unchanged once released,
as a migration is."""

from typing import Any

from django.utils import timezone


def reword_stock_steps(apps: Any, steps: dict[str, tuple[list[str], list[str]]]) -> None:
    """``steps``: slug → (the steps as shipped before, the steps now)."""
    Exercise = apps.get_model("rehab", "Exercise")  # noqa: N806 (a historical model)
    now = timezone.now()
    for exercise in Exercise.objects.filter(clinic__isnull=True, slug__in=list(steps)):
        before, after = steps[exercise.slug]
        if list(exercise.steps or []) == before:
            exercise.steps = after
            exercise.instructions_updated_at = now
            exercise.save(update_fields=["steps", "instructions_updated_at", "updated_at"])
