"""A whole run: clinic by clinic, patient by patient (each patient's own seeded random
generator, so a run is reproducible with ``--seed``), then every table written out."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from rehab.management.scale.accounts import BENCH_PATIENT_EMAIL, FOCUS_CLINICIAN_EMAIL
from rehab.management.scale.context import Seeding
from rehab.management.scale.logs import Logbook
from rehab.management.scale.messages import add_messages
from rehab.management.scale.outcomes import add_outcomes
from rehab.management.scale.people import ClinicInfo, add_clinic, add_patient
from rehab.management.scale.plans import add_plan
from rehab.management.scale.population import Profile, weighted
from rehab.management.scale.protocols import PROTOCOL_SLUGS, load_protocol


@dataclass
class Result:
    counts: dict[str, int]
    focus_clinician_email: str
    focus_clinic_patients: int
    bench_patient_email: str


class Generator:
    def __init__(
        self,
        *,
        clinics: int,
        patients: int,
        days: int,
        clinicians_per_clinic: int,
        focus_patients: int,
        seed: int,
        postgres: bool,
        password_hash: str,
        no_today: bool = False,
    ) -> None:
        self.n_clinics = clinics
        self.n_patients = patients
        self.clinicians_per_clinic = clinicians_per_clinic
        self.focus_patients = focus_patients
        self.seed = seed
        now = timezone.now()
        self.protocols = {pathway: load_protocol(slug) for pathway, slug in PROTOCOL_SLUGS.items()}
        self.seeding = Seeding(now=now, postgres=postgres, password_hash=password_hash)
        self.logbook = Logbook(self.seeding, days=days, no_today=no_today)

    def _clinic_sizes(self) -> list[int]:
        """Patients per clinic: the focus clinic first, the rest spread evenly."""
        if self.n_clinics == 1:
            return [self.n_patients]
        focus = max(1, min(self.focus_patients, self.n_patients - (self.n_clinics - 1)))
        rest = self.n_patients - focus
        base, extra = divmod(rest, self.n_clinics - 1)
        return [focus] + [base + (1 if i < extra else 0) for i in range(self.n_clinics - 1)]

    def run(self) -> Result:
        sizes = self._clinic_sizes()
        created = self.seeding.now - dt.timedelta(days=400)
        patient_index = 0
        focus_email = FOCUS_CLINICIAN_EMAIL
        for c, size in enumerate(sizes, start=1):
            info = add_clinic(
                self.seeding,
                random.Random(f"{self.seed}:clinic:{c}"),  # noqa: S311 (test data)
                number=c,
                created=created,
                clinicians=self.clinicians_per_clinic,
            )
            for _n in range(size):
                self._patient(patient_index, info, focus=c == 1)
                patient_index += 1
        self.seeding.tables.flush()
        return Result(
            counts=self.seeding.tables.counts(),
            focus_clinician_email=focus_email,
            focus_clinic_patients=sizes[0],
            bench_patient_email=BENCH_PATIENT_EMAIL,
        )

    def _patient(self, index: int, clinic: ClinicInfo, *, focus: bool) -> None:
        """A patient, their plan, their days, outcomes and messages: one random generator, drawn
        from in this order."""
        rng = random.Random(f"{self.seed}:patient:{index}")  # noqa: S311 (test data)
        patient = add_patient(self.seeding, rng, index=index, clinic=clinic, focus=focus)
        plan = add_plan(
            self.seeding, rng, patient=patient, protocol=self.protocols[patient.pathway]
        )
        # How this patient keeps to the plan.
        profile = Profile.DILIGENT if patient.bench else weighted(rng, Profile.WEIGHTS)
        self.logbook.add_days(rng, patient=patient, plan=plan, profile=profile)
        add_outcomes(self.seeding, rng, patient=patient, profile=profile)
        add_messages(self.seeding, rng, patient=patient)
