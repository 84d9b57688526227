"""Generate a large, realistic data set fast, for benchmarks (issue 8).

``manage.py seed_scale --clinics 20 --patients 10000 --days 90`` makes clinics, clinicians,
patients with sign-in accounts on both pathways at different weeks, plans copied from both
protocols, and ``--days`` days of exercise logs and check-ins with realistic adherence, plus
alerts, ATRS responses, measurements and messages.

This module parses the arguments, checks them and reports; the seeding itself is the package
``rehab.management.scale`` (its ``__init__`` says which module does what). Everything is one
transaction: a failed run leaves nothing behind.

Generated data is recognisable: clinic slugs start with ``scale-`` and e-mail addresses end
with ``@scale.example``. ``--wipe`` removes it (on PostgreSQL, with ``TRUNCATE`` when the
database holds no other clinic). The command creates accounts with a published password, so
it refuses to run without ``DEBUG`` (or ``--force``), like ``seed_demo``.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from clinic.models import Clinic, User
from rehab.management.known_passwords import add_force_argument, refuse_without_debug
from rehab.management.scale.accounts import EMAIL_DOMAIN, SCALE_PASSWORD, SLUG_PREFIX
from rehab.management.scale.generator import Generator, Result
from rehab.management.scale.protocols import PROTOCOL_SLUGS
from rehab.management.scale.wipe import PATIENT_DATA, wipe
from rehab.models.protocols import Protocol


class Command(BaseCommand):
    help = (
        "Generate clinics, clinicians, patients, plans and days of logs at scale, for "
        "benchmarks. Slugs start with 'scale-'; --wipe removes a previous run."
    )
    # Generating data needs the models only: don't let a half-written URLconf stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinics", type=int, default=20)
        parser.add_argument("--patients", type=int, default=1000)
        parser.add_argument("--days", type=int, default=90, help="days of logs and check-ins")
        parser.add_argument("--clinicians-per-clinic", type=int, default=3)
        parser.add_argument(
            "--focus-clinician-patients",
            type=int,
            default=300,
            help="patients in the first clinic, whose clinician the benchmark signs in as",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (reproducible)")
        parser.add_argument(
            "--wipe", action="store_true", help="first delete data from an earlier run"
        )
        parser.add_argument(
            "--no-today",
            action="store_true",
            help="no exercise logs or check-ins dated today: each patient's day starts fresh, "
            "whatever the time (make bench ticks today's exercises itself)",
        )
        add_force_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_without_debug("seed_scale", options)
        for name in ("clinics", "patients", "days", "clinicians_per_clinic"):
            if options[name] < (0 if name == "patients" else 1):
                msg = f"--{name.replace('_', '-')} must be at least 1."
                raise CommandError(msg)
        if options["patients"] and options["patients"] < options["clinics"]:
            msg = "--patients must be at least --clinics (every clinic gets a patient)."
            raise CommandError(msg)
        postgres = connection.vendor == "postgresql"
        started = time.monotonic()
        if options["wipe"]:
            with transaction.atomic():
                wiped = wipe(postgres=postgres)
            self.stdout.write(
                "Wiped earlier scale data: "
                + ", ".join(f"{k} {v:,}" for k, v in wiped.items())
                + f" ({time.monotonic() - started:.1f} s)"
            )
        if not options["patients"]:
            return
        if Clinic.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            msg = "Scale data from an earlier run exists; add --wipe to replace it."
            raise CommandError(msg)
        if Protocol.objects.filter(slug__in=PROTOCOL_SLUGS.values()).count() != 2:
            call_command("loaddata", "library", "protocols", verbosity=0)
        generation_started = time.monotonic()
        password_hash = make_password(SCALE_PASSWORD)  # hashed once, shared by every account
        with transaction.atomic():
            result = Generator(
                clinics=options["clinics"],
                patients=options["patients"],
                days=options["days"],
                clinicians_per_clinic=options["clinicians_per_clinic"],
                focus_patients=options["focus_clinician_patients"],
                seed=options["seed"],
                postgres=postgres,
                password_hash=password_hash,
                no_today=options["no_today"],
            ).run()
        written = time.monotonic()
        if postgres:
            with connection.cursor() as cursor:
                for model, _path in PATIENT_DATA:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                cursor.execute(f"ANALYZE {connection.ops.quote_name(User._meta.db_table)}")
        self._report(result, started, generation_started, written)

    def _report(
        self, result: Result, started: float, generation_started: float, written: float
    ) -> None:
        width = max(len(name) for name in result.counts)
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>12,}")
        total = sum(result.counts.values())
        self.stdout.write(f"  {'total':<{width}}  {total:>12,}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated in {written - generation_started:.1f} s "
            f"({total / max(written - generation_started, 1e-9):,.0f} rows/s); "
            f"{elapsed:.1f} s in all, with ANALYZE."
        )
        self.stdout.write(self.style.SUCCESS("Scale data ready. Sign in at /accounts/login/ as:"))
        self.stdout.write(
            f"  Clinician with {result.focus_clinic_patients} patients: "
            f"{result.focus_clinician_email}  password: {SCALE_PASSWORD}"
        )
        self.stdout.write(
            f"  Patient (week 9, diligent):  {result.bench_patient_email}  "
            f"password: {SCALE_PASSWORD}"
        )
        self.stdout.write(f"  Every other account @{EMAIL_DOMAIN} has the same password.")
