"""A demo clinic with people, plans and a few weeks of logs. Safe to run again."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from clinic.models import Clinic, Clinician, Message, Patient, User
from rehab.management.known_passwords import add_force_argument, refuse_without_debug
from rehab.models.alerts import Alert
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.models.protocols import Protocol
from rehab.selectors.today import is_due_on
from rehab.services import plans as plan_services
from rehab.services.logbook import checkins as checkin_services
from rehab.services.logbook import ticks as tick_services

DEMO_PASSWORD = "demo-rehab-2026"  # noqa: S105 (a published demo login, refused without DEBUG)
NAMESPACE = uuid.UUID("6f1c4c1e-7a55-4d0e-9a3b-1d2f0c9b8a11")


class Command(BaseCommand):
    help = "Create (or refresh) a demo clinic, its people, plans and logs; print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        add_force_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_without_debug("seed_demo", options)
        if not Protocol.objects.filter(slug="achilles-operative").exists():
            call_command("loaddata", "library", "protocols", verbosity=0)
        with transaction.atomic():
            logins = self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ as:"))
        width = max(len(email) for _, email in logins)
        for role, email in logins:
            self.stdout.write(f"  {role:<22} {email:<{width}}  password: {DEMO_PASSWORD}")

    def _user(self, email: str, name: str, **extra: Any) -> User:
        user, _created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, **extra}
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        return user

    def _seed(self) -> list[tuple[str, str]]:
        clinic, _ = Clinic.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "Demo Physiotherapy Clinic",
                "phone": "+44 20 7946 0018",
                # A UK demo: NHS 111 out of hours, 999 in an emergency (set per clinic).
                "out_of_hours_phone": "111",
                "emergency_number": "999",
                "email": "clinic@demo.example",
                "requires_mfa": False,
            },
        )
        physio = self._user("physio@demo.example", "Sam Physio")
        sam, _ = Clinician.objects.get_or_create(user=physio, defaults={"clinic": clinic})
        admin = self._user("clinic-admin@demo.example", "Alex Admin")
        Clinician.objects.get_or_create(
            user=admin, defaults={"clinic": clinic, "role": Clinician.Role.ADMIN}
        )
        self._user("superuser@demo.example", "Site Admin", is_staff=True, is_superuser=True)
        today = timezone.localdate()
        operative = self._patient(
            clinic,
            email="olivia@demo.example",
            first_name="Olivia",
            last_name="Operative",
            pathway=Patient.Pathway.OPERATIVE,
            injury_date=today - dt.timedelta(weeks=5, days=3),
            surgery_date=today - dt.timedelta(weeks=5),
            therapist=sam,
        )
        conservative = self._patient(
            clinic,
            email="noah@demo.example",
            first_name="Noah",
            last_name="Conservative",
            pathway=Patient.Pathway.NON_OPERATIVE,
            injury_date=today - dt.timedelta(weeks=10),
            surgery_date=None,
            therapist=sam,
        )
        for patient, slug in (
            (operative, "achilles-operative"),
            (conservative, "achilles-non-operative"),
        ):
            # Noah's red flag (below) pauses his plan until the physiotherapist resumes it.
            plan = patient.plans.filter(status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).first()
            if plan is None:
                plan = plan_services.plan_from_protocol(
                    patient=patient, protocol=Protocol.objects.get(slug=slug), created_by=physio
                )
                plan = plan_services.plan_activate(plan=plan, activated_by=physio)
                self._backdate(plan)
            self._logs(patient, plan, seed=patient.pk)
        if not Message.objects.filter(patient=operative).exists():
            Message.objects.create(
                patient=operative,
                author=operative.user,
                from_patient=True,
                body="My ankle is a bit swollen in the evening after the exercises. Is that normal?",
            )
        if not Alert.objects.filter(patient=conservative, kind=Alert.Kind.RED_FLAG).exists():
            # A red flag to see the alert reach the physiotherapist (with the task worker
            # running, its email shows in the worker's output).
            checkin_services.checkin_record(
                patient=conservative,
                client_uuid=uuid.uuid5(NAMESPACE, f"{conservative.pk}:red-flag"),
                pain_at_rest=3,
                swelling="moderate",
                red_flags=["dvt"],
            )
        return [
            ("Physiotherapist", physio.email),
            ("Clinic admin", admin.email),
            ("Superuser (/admin/)", "superuser@demo.example"),
            ("Patient, operative", "olivia@demo.example"),
            ("Patient, non-operative", "noah@demo.example"),
        ]

    def _patient(self, clinic: Clinic, *, email: str, **fields: Any) -> Patient:
        user = self._user(email, f"{fields['first_name']} {fields['last_name']}")
        patient, _ = Patient.objects.get_or_create(
            user=user,
            defaults={
                "clinic": clinic,
                "email": email,
                "injured_side": Patient.Side.RIGHT,
                "timezone": "Europe/London",
                **fields,
            },
        )
        return patient

    def _backdate(self, plan: Plan) -> None:
        """Make the demo plan look as if it was made on the anchor date and advanced phase by
        phase since, so that history and adherence read as they would in real use."""
        anchor = dt.datetime.combine(plan.anchor_date, dt.time(9), tzinfo=dt.UTC)
        Plan.objects.filter(pk=plan.pk).update(created_at=anchor, activated_at=anchor)
        Prescription.objects.filter(phase__plan=plan).update(created_at=anchor)
        week = plan.week_on(plan.patient.local_today())
        plan.phase_changes.all().delete()
        previous = None
        for phase in plan.phases.filter(start_week__lte=week).order_by("order"):
            day = plan.date_of_week(phase.start_week)
            PhaseChange.objects.create(
                plan=plan,
                from_phase=previous,
                to_phase=phase,
                changed_by=plan.created_by,
                changed_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
                effective_on=day,
            )
            PlanPhase.objects.filter(pk=phase.pk).update(started_on=day)
            previous = phase

    def _logs(self, patient: Patient, plan: Plan, *, seed: int) -> None:
        """Logs of every day since the plan started, for the phase each day fell in: about 80 %
        of sessions (with the first weeks left empty, the patient's progress and the clinician's
        chart read as if they had skipped them)."""
        rng = random.Random(seed)  # noqa: S311 (demo data, not security)
        today = patient.local_today()
        phases = list(plan.phases.prefetch_related("prescriptions__exercise").order_by("order"))
        for days_ago in range((today - plan.anchor_date).days, 0, -1):
            day = today - dt.timedelta(days=days_ago)
            week = plan.week_on(day)
            phase = next((p for p in phases if p.start_week <= week < p.end_week), None)
            if phase is None:
                continue
            for rx in phase.prescriptions.all():
                if (  # advice to read is not ticked (``Prescription.is_advice``)
                    rx.is_advice
                    or rx.retired_at
                    or not is_due_on(
                        days_per_week=rx.days_per_week, anchor=plan.due_days_anchor, day=day
                    )
                ):
                    continue
                for session in range(rx.times_per_day):
                    if rng.random() > 0.8:
                        continue
                    tick_services.log_record(
                        patient=patient,
                        prescription=rx,
                        client_uuid=uuid.uuid5(NAMESPACE, f"{patient.pk}:{rx.pk}:{day}:{session}"),
                        date=day,
                        sets_done=rx.sets,
                        reps=rx.reps,
                        hold_seconds=rx.hold_seconds,
                        pain=rng.choice([1, 2, 2, 3, 3, 4]),
                        effort=rng.choice([3, 4, 5, 6]),
                    )
