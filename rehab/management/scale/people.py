"""Clinics, their clinicians and patients, each with a sign-in account: who a patient is, when
they were injured and began their plan, and whether they are still in care."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from clinic.models import Clinic, Clinician, Patient, User, default_opening_hours
from rehab.management.scale.accounts import (
    BENCH_PATIENT_EMAIL,
    EMAIL_DOMAIN,
    FOCUS_CLINICIAN_EMAIL,
    SLUG_PREFIX,
)
from rehab.management.scale.context import Seeding
from rehab.management.scale.population import FIRST_NAMES, LAST_NAMES, TIMEZONES, weighted


@dataclass
class ClinicInfo:
    pk: int
    clinician_user_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PatientInfo:
    """A patient as written, with what their plan and days are made from."""

    pk: int
    user_id: int
    bench: bool  # the benchmarks' model patient (week 9, diligent)
    tz_name: str
    today: dt.date  # in the patient's time zone
    pathway: Patient.Pathway
    status: str
    anchor: dt.date  # surgery, or the injury without one: week 0
    activated_on: dt.date  # the plan's first day
    activated_at: dt.datetime
    end: dt.date  # the last day of care: today while in care
    clinician_id: int  # the user id of their therapist


def add_user(
    seeding: Seeding, email: str, full_name: str, joined: dt.datetime, *, staff: bool = False
) -> int:
    pk = seeding.ids.take(User)
    seeding.tables.user.add(
        pk, seeding.password_hash, None, staff, email, full_name, staff, True, joined
    )
    return pk


def add_clinic(
    seeding: Seeding, rng: random.Random, *, number: int, created: dt.datetime, clinicians: int
) -> ClinicInfo:
    """Clinic ``number`` and its ``clinicians`` (the second a clinic admin); the first clinic's
    first clinician is the one the benchmark signs in as."""
    pk = seeding.ids.take(Clinic)
    seeding.tables.clinic.add(
        pk,
        f"Scale Physiotherapy {number:03d}",
        f"{SLUG_PREFIX}{number:03d}",
        f"+44 20 7946 {number:04d}",
        f"clinic-{number:03d}@{EMAIL_DOMAIN}",
        f"{number} High Street, Testford",
        False,
        default_opening_hours(),
        [],
        created,
    )
    info = ClinicInfo(pk=pk)
    for k in range(clinicians):
        if number == 1 and k == 0:
            email = FOCUS_CLINICIAN_EMAIL
        else:
            email = f"clinician-{number:03d}-{k + 1}@{EMAIL_DOMAIN}"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        user_id = add_user(seeding, email, name, created)
        role = Clinician.Role.ADMIN if k == 1 else Clinician.Role.THERAPIST
        seeding.tables.clinician.add(seeding.ids.take(Clinician), user_id, pk, role, created)
        info.clinician_user_ids.append(user_id)
    return info


def add_patient(
    seeding: Seeding, rng: random.Random, *, index: int, clinic: ClinicInfo, focus: bool
) -> PatientInfo:
    """Patient ``index`` of the run (the first is the bench patient) and their account. In the
    focus clinic every patient is in care; elsewhere some are discharged or archived."""
    bench = index == 0
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    tz_name = "Europe/London" if bench else weighted(rng, TIMEZONES)
    today = seeding.local_today(tz_name)
    pathway = (
        Patient.Pathway.OPERATIVE if bench or rng.random() < 0.6 else Patient.Pathway.NON_OPERATIVE
    )
    if focus:
        status = Patient.Status.ACTIVE
    else:
        status = weighted(
            rng,
            (
                (Patient.Status.ACTIVE, 0.82),
                (Patient.Status.DISCHARGED, 0.13),
                (Patient.Status.ARCHIVED, 0.05),
            ),
        )
    if bench:
        anchor = today - dt.timedelta(weeks=9, days=2)  # week 9: out of the boot
    elif status == Patient.Status.ACTIVE:
        anchor = today - dt.timedelta(days=rng.randint(0, 40 * 7 + 6))
    else:
        anchor = today - dt.timedelta(days=rng.randint(20 * 7, 60 * 7))
    if pathway == Patient.Pathway.OPERATIVE:
        injury, surgery = anchor - dt.timedelta(days=rng.randint(1, 12)), anchor
    else:
        injury, surgery = anchor, None
    activated_on = min(today, anchor + dt.timedelta(days=rng.randint(0, 4)))
    end = today
    if status != Patient.Status.ACTIVE:
        weeks = (today - anchor).days // 7
        end = anchor + dt.timedelta(weeks=rng.randint(16, max(16, min(40, weeks))))
        end = min(end, today)
    clinician_id = rng.choice(clinic.clinician_user_ids)
    registered = seeding.at(anchor, tz_name, 9, rng.randint(0, 59)) - dt.timedelta(days=1)
    activated_at = seeding.past(seeding.at(activated_on, tz_name, 10, rng.randint(0, 59)))
    registered = min(registered, activated_at)

    email = BENCH_PATIENT_EMAIL if bench else f"patient-{index + 1}@{EMAIL_DOMAIN}"
    user_id = add_user(seeding, email, f"{first} {last}", registered)
    patient_id = seeding.ids.take(Patient)
    seeding.tables.patient.add(
        patient_id,
        clinic.pk,
        user_id,
        first,
        last,
        dt.date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        email,
        rng.choice((Patient.Side.LEFT, Patient.Side.RIGHT)),
        injury,
        pathway,
        surgery,
        tz_name,
        status,
        registered,
        activated_at
        if status == Patient.Status.ACTIVE
        else seeding.past(seeding.at(end, tz_name, 17)),
    )
    return PatientInfo(
        pk=patient_id,
        user_id=user_id,
        bench=bench,
        tz_name=tz_name,
        today=today,
        pathway=pathway,
        status=status,
        anchor=anchor,
        activated_on=activated_on,
        activated_at=activated_at,
        end=end,
        clinician_id=clinician_id,
    )
