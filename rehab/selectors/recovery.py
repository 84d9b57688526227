"""The published reference points a patient is drawn against (``rehab.recovery``)."""

from __future__ import annotations

from rehab.models.references import ReferencePoint
from rehab.recovery import cohorts_for


def references_for(pathway: str) -> list[ReferencePoint]:
    """The reference points of ``pathway``'s cohort, both pathways and the healthy ceiling.
    One query."""
    return list(
        ReferencePoint.objects.filter(cohort__in=cohorts_for(pathway)).order_by(
            "measure", "week", "cohort", "pk"
        )
    )
