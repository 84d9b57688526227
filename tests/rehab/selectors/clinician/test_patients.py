"""The clinician's patient list (``rehab.selectors.clinician.patients``): the last pain is the patient's own
last 30 days, in their time zone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from clinic.models import Patient
from rehab.selectors.clinician import patients as clinician_selectors
from tests import factories

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _reported(zone: str, *, days_ago: int) -> Patient:
    """A patient in ``zone`` whose one pain score was reported ``days_ago`` of their days
    ago (a check-in)."""
    patient = factories.PatientFactory.create(timezone=zone)
    factories.CheckInFactory.create(
        patient=patient,
        date=patient.local_today() - dt.timedelta(days=days_ago),
        pain_at_rest=5,
    )
    return patient


@pytest.mark.parametrize(
    ("now", "zone"),
    [
        # 22:30 in London: already tomorrow in Auckland.
        (dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC), "Pacific/Auckland"),
        # 03:00 in London: still yesterday evening in Los Angeles.
        (dt.datetime(2025, 3, 10, 3, 0, tzinfo=UTC), "America/Los_Angeles"),
    ],
)
def test_the_last_pain_is_of_the_patients_own_last_30_days(now: dt.datetime, zone: str) -> None:
    """The window was counted back from the server's day (or the reader's), not the patient's:
    a pain 31 of an Auckland patient's days ago still showed at 22:30 in London, and one 30 of
    a Los Angeles patient's days ago was gone at 03:00."""
    with time_machine.travel(now, tick=False), timezone.override("Europe/London"):
        assert timezone.localdate() == dt.date(2025, 3, 10)
        inside = _reported(zone, days_ago=clinician_selectors.LAST_PAIN_WINDOW_DAYS)
        outside = _reported(zone, days_ago=clinician_selectors.LAST_PAIN_WINDOW_DAYS + 1)
        assert inside.local_today() != timezone.localdate()
        last = clinician_selectors.last_pain_for_patients([inside, outside])
        assert set(last) == {inside.pk}
        rows = clinician_selectors.patient_rows(
            [inside, outside], today=inside.clinic.local_today()
        )
        assert {row.patient.pk: row.last_pain is not None for row in rows} == {
            inside.pk: True,
            outside.pk: False,
        }
