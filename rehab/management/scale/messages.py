"""Messages: a few questions from the patient to the clinic, most answered (and read) within
the day."""

from __future__ import annotations

import datetime as dt
import random

from clinic.models import Message
from rehab.management.scale.context import Seeding
from rehab.management.scale.people import PatientInfo
from rehab.management.scale.population import QUESTIONS, REPLIES


def add_messages(seeding: Seeding, rng: random.Random, *, patient: PatientInfo) -> None:
    """Up to three questions from the patient's plan's first day to the last, each answered
    by their therapist unless it is recent (or, now and then, left unanswered)."""
    patient_id, user_id, tz_name = patient.pk, patient.user_id, patient.tz_name
    start, end, clinician_id = patient.activated_on, patient.end, patient.clinician_id
    span = (end - start).days
    for _n in range(rng.choice((0, 0, 1, 1, 2, 3))):
        day = start + dt.timedelta(days=rng.randint(0, span))
        asked = seeding.at(day, tz_name, rng.randint(7, 21), rng.randint(0, 59))
        if asked > seeding.now:
            continue
        answered = asked + dt.timedelta(minutes=rng.randint(30, 30 * 60))
        unanswered = answered > seeding.now or rng.random() < 0.1
        read_at = None if unanswered else asked + dt.timedelta(minutes=rng.randint(5, 29))
        seeding.tables.message.add(
            seeding.ids.take(Message),
            patient_id,
            user_id,
            True,
            rng.choice(QUESTIONS),
            asked,
            read_at,
        )
        if not unanswered:
            seeding.tables.message.add(
                seeding.ids.take(Message),
                patient_id,
                clinician_id,
                False,
                rng.choice(REPLIES),
                answered,
                answered + dt.timedelta(hours=rng.randint(1, 12)),
            )
