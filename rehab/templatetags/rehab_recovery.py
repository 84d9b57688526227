"""The patient's recovery chart for their progress page (``rehab/me/_recovery.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.models import Patient
from rehab import recovery
from rehab.models.logbook import AtrsResponse
from rehab.selectors import progress as progress_selectors
from rehab.selectors import recovery as recovery_selectors

register = template.Library()


@register.simple_tag
def my_recovery_chart(patient: Patient, atrs: list[AtrsResponse] | None = None) -> Any:
    """Two queries: the patient's ATRS answers (none when the page read them: ``atrs``,
    oldest first) and the reference points of their pathway."""
    return recovery.patient_chart(
        patient,
        atrs=progress_selectors.atrs_series(patient) if atrs is None else atrs,
        references=recovery_selectors.references_for(patient.pathway),
    )
