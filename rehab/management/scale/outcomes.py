"""Outcomes: the patient's ATRS answers around weeks 6, 12, 26 and 52, and the measurements
taken at clinic visits (heel rises, calf girth), better as the weeks go by."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from rehab import clinical
from rehab.management.scale.context import Seeding
from rehab.management.scale.people import PatientInfo
from rehab.management.scale.population import Profile, clamp, random_uuid
from rehab.models.logbook import AtrsResponse, Measurement


def add_outcomes(
    seeding: Seeding, rng: random.Random, *, patient: PatientInfo, profile: str
) -> None:
    """ATRS at weeks 6, 12 and 26 (and 52); measurements at clinic visits. The bench
    patient has at least one of each whatever the dates (bench.pages opens them)."""
    patient_id, bench, tz_name = patient.pk, patient.bench, patient.tz_name
    anchor, activated_on, end = patient.anchor, patient.activated_on, patient.end
    clinician_id = patient.clinician_id
    answers = {
        Profile.DILIGENT: 0.95,
        Profile.LAPSING: 0.7,
        Profile.STOPPED: 0.5,
        Profile.SPORADIC: 0.4,
    }[profile]
    expected = {6: 28, 12: 48, 26: 70, 52: 86}
    atrs_days = []
    for week in clinical.ATRS_OFFER_WEEKS:
        day = anchor + dt.timedelta(weeks=week, days=rng.randint(0, 4))
        if day < activated_on or day > end or rng.random() > answers:
            continue
        atrs_days.append((week, day))
    last_visit = max(activated_on, end - dt.timedelta(days=1))  # today may not have begun
    if bench and not atrs_days:
        atrs_days.append((12, last_visit))
    for week, day in atrs_days:
        target = expected.get(week, 60) + rng.gauss(0, 10)
        items = [clamp(target / 10 + rng.gauss(0, 1.2), 0, 10) for _i in range(10)]
        at = seeding.past(seeding.at(day, tz_name, 19, rng.randint(0, 59)))
        seeding.tables.atrs.add(
            seeding.ids.take(AtrsResponse),
            patient_id,
            day,
            *items,
            sum(items),
            random_uuid(rng),
            at,
        )
    heel_rise = {8: 0, 12: 6, 16: 14, 26: 22}
    visits = []
    for week, reps in heel_rise.items():
        day = anchor + dt.timedelta(weeks=week, days=rng.randint(0, 4))
        if day < activated_on or day > end or rng.random() > 0.8:
            continue
        visits.append((day, reps))
    if bench and not visits:
        visits.append((last_visit, 6))
    for day, reps in visits:
        uninjured = rng.randint(22, 35)
        calf = Decimal(rng.randint(340, 420)) / 10
        seeding.tables.measurement.add(
            seeding.ids.take(Measurement),
            patient_id,
            day,
            min(200, max(0, reps + rng.randint(-3, 4))),
            uninjured,
            calf - Decimal(rng.randint(5, 30)) / 10,
            calf,
            clinician_id,
            "",
            random_uuid(rng),
            seeding.past(seeding.at(day, tz_name, 14, rng.randint(0, 59))),
        )
