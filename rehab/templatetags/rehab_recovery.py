"""The patient's recovery chart for their progress page (``rehab/me/_recovery.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.models import Patient
from rehab import recovery
from rehab.selectors import progress as progress_selectors
from rehab.selectors import recovery as recovery_selectors

register = template.Library()


@register.simple_tag
def my_recovery_chart(patient: Patient) -> Any:
    """Two queries: the patient's ATRS answers and the reference points of their pathway."""
    return recovery.patient_chart(
        patient,
        atrs=progress_selectors.atrs_series(patient),
        references=recovery_selectors.references_for(patient.pathway),
    )
