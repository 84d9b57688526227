"""What the rehab API's serializers share: limits, the patient's disclaimer, a 0–10 score."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.api import fields
from rehab import clinical

DISCLAIMER = _(
    "This plan comes from your physiotherapist: defaults they adapt for you, not general advice. "
    "Mild discomfort is fine. If an exercise causes more than mild discomfort, stop and tell "
    "your physiotherapist."
)

NOTE_MAX = 2000
STEP_MAX = 1000
STEPS_MAX = 50


def score_field(**kwargs: Any) -> fields.IntegerField:
    return fields.IntegerField(min_value=0, max_value=clinical.SCORE_MAX, **kwargs)
