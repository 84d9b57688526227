"""Signals the exercise library sends, for the parts of rehab above it (plans and alerts) to act
on: the library imports neither (``rehab/apps.py`` connects the receivers)."""

from __future__ import annotations

from django.dispatch import Signal

# An exercise's earliest safe week (operative or non-operative) moved later: prescriptions
# already in patients' plans may now start too early. Sent with ``exercise`` after the change
# is saved, inside the same transaction.
exercise_earliest_weeks_raised = Signal()

# An exercise's earliest safe week is about to move later (sent before the change is saved,
# with ``exercise`` and ``weeks``: pathway → the new, later week): a receiver raises a
# ``ValidationError`` to refuse it (a published template places the exercise earlier).
exercise_earliest_weeks_raising = Signal()
