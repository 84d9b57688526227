"""Issue 16 part A, reads: an unanswered score is no point on a chart and no "last pain"."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.models import Patient
from rehab.selectors import clinician as clinician_selectors
from rehab.selectors import progress as progress_selectors
from tests import factories

pytestmark = pytest.mark.django_db


def test_charts_skip_an_unanswered_pain_at_rest(patient: Patient) -> None:
    today = patient.local_today()
    factories.CheckInFactory.create(patient=patient, date=today, pain_at_rest=None)
    factories.CheckInFactory.create(
        patient=patient, date=today - dt.timedelta(days=1), pain_at_rest=4
    )
    points = progress_selectors.pain_series(patient, start=today - dt.timedelta(days=7), end=today)
    assert [(p.day, p.pain) for p in points] == [(today - dt.timedelta(days=1), 4)]
    last = clinician_selectors.last_pain_for_patients([patient])[patient.pk]
    assert last.pain == 4
