"""rehab's answers to the clinic app's patient events (connected in ``RehabConfig.ready``)."""

from __future__ import annotations

from typing import Any

from clinic.models import Patient
from rehab import services


def on_patient_anchor_changed(sender: type[Patient], *, patient: Patient, **_: Any) -> None:
    services.plans_follow_anchor(patient=patient)


def on_patient_left_care(sender: type[Patient], *, patient: Patient, **_: Any) -> None:
    services.plans_complete_for(patient=patient)
