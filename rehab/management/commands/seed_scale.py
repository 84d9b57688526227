"""Generate a large, realistic data set fast, for benchmarks (issue 8).

``manage.py seed_scale --clinics 20 --patients 10000 --days 90`` makes clinics, clinicians,
patients with sign-in accounts on both pathways at different weeks, plans copied from both
protocols, and ``--days`` days of exercise logs and check-ins with realistic adherence, plus
alerts, ATRS responses, measurements and messages.

Speed: every id is assigned here (reserved from the table's sequence), so rows that point at
each other are written without reading anything back; on PostgreSQL each table is streamed
with ``COPY`` (psycopg 3's ``cursor.copy()``), elsewhere with ``executemany`` of values that
each field prepares itself (``bulk_create`` would overwrite the ``auto_now_add`` times the
history needs). Everything is one transaction: a failed run leaves nothing behind.

Generated data is recognisable: clinic slugs start with ``scale-`` and e-mail addresses end
with ``@scale.example``. ``--wipe`` removes it (on PostgreSQL, with ``TRUNCATE`` when the
database holds no other clinic). The command creates accounts with a published password, so
it refuses to run without ``DEBUG`` (or ``--force``), like ``seed_demo``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import (
    Clinic,
    Clinician,
    Invitation,
    Message,
    Patient,
    User,
    default_opening_hours,
)
from rehab import clinical
from rehab.guardrails import earliest_week_warning
from rehab.management.known_passwords import add_force_argument, refuse_without_debug
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.models.protocols import Protocol
from rehab.selectors.today import is_due_on
from rehab.services.plans import DOSE_FIELDS, PHASE_FIELDS

SCALE_PASSWORD = "scale-rehab-2026"  # noqa: S105 (a published bench login, refused without DEBUG)
SLUG_PREFIX = "scale-"
EMAIL_DOMAIN = "scale.example"
FOCUS_CLINICIAN_EMAIL = f"clinician@{EMAIL_DOMAIN}"
BENCH_PATIENT_EMAIL = f"patient@{EMAIL_DOMAIN}"
PROTOCOL_SLUGS = {
    Patient.Pathway.OPERATIVE: "achilles-operative",
    Patient.Pathway.NON_OPERATIVE: "achilles-non-operative",
}
FLUSH_ROWS = 100_000  # rows buffered per table before they are streamed to the database

FIRST_NAMES = (  # noqa: SIM905
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Emily Ella "
    "Poppy Evie Charlotte Aria Sienna Daisy Harper Alice Sofia Phoebe Florence Ruby Matilda "
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander "
    "Luca Edward James Joshua Albert Max Mason Rory Hugo Reuben Sebastian Ezra Elijah Louie "
    "Priya Aisha Fatima Zara Yusuf Omar Ibrahim Hamza Kai Mateo Nina Elena Marta Jonas Lars "
    "Sanne Pieter Chloe Aoife Siobhan Ciaran Niamh Eilidh Callum Ewan Morag Rhys Cerys Dylan"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall "
    "Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray "
    "Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd "
    "Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed "
    "Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox "
    "Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton "
    "O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson "
    "Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry "
    "Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson "
    "Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson"
).split()
TIMEZONES = (
    ("Europe/London", 0.82),
    ("Europe/Dublin", 0.06),
    ("Europe/Amsterdam", 0.05),
    ("Europe/Berlin", 0.04),
    ("America/New_York", 0.02),
    ("Australia/Sydney", 0.01),
)
LOG_NOTES = (
    "Felt tight at the start, easier after a few reps.",
    "Did this one after my walk.",
    "A bit sore behind the ankle afterwards.",
    "Easier than last week.",
    "Only managed part of it, tired today.",
)
QUESTIONS = (
    "My ankle is a bit swollen in the evening after the exercises. Is that normal?",
    "Can I take the boot off to shower yet?",
    "The heel raises hurt behind the heel. Should I do fewer?",
    "When can I start driving again?",
    "I missed a few days because of work. Should I go back a step?",
    "Is it fine to walk without the crutches around the house?",
    "I felt a twinge on the stairs today, nothing since. Anything to watch for?",
)
REPLIES = (
    "That's common at this stage. Keep the leg raised in the evening and tell us if it gets worse.",
    "Good question, let's talk it through at your next appointment. Until then keep going as planned.",
    "Do fewer repetitions for a few days and let us know how it feels.",
    "Thanks for letting us know. Carry on with today's exercises and keep an eye on it.",
)
SWELLING_EARLY = ("mild", "mild", "moderate", "moderate", "none", "severe")
SWELLING_LATE = ("none", "none", "none", "mild", "mild", "moderate")


class Profile:
    """How a patient keeps to the plan."""

    DILIGENT = "diligent"  # about 90 % of sessions, all along
    LAPSING = "lapsing"  # starts well, adherence decays
    STOPPED = "stopped"  # keeps going, then stops altogether
    SPORADIC = "sporadic"  # now and then

    WEIGHTS: tuple[tuple[str, float], ...] = (
        (DILIGENT, 0.40),
        (LAPSING, 0.33),
        (STOPPED, 0.12),
        (SPORADIC, 0.15),
    )


# --- Writing rows ------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


def _pk_column(model: type[models.Model]) -> str:
    return str(model._meta.pk.column)


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, list | dict):  # a JSON field
        return json.dumps(value).translate(_COPY_ESCAPES)
    return str(value)  # int, date, aware datetime, Decimal


class Table:
    """The rows of one model, buffered and streamed to the database in large batches.

    ``columns`` are attribute names (``patient_id``); a field left out must be nullable or have
    a constant default, which is filled in (so a field added later does not break the command
    silently: one this cannot fill stops it with a message).
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, copy: bool) -> None:
        self.model = model
        self.count = 0
        self._copy = copy
        self._buffer: list[Any] = []
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            msg = f"seed_scale: {model.__name__} has no field {', '.join(sorted(unknown))}."
            raise CommandError(msg)
        self._extra: tuple[Any, ...] = ()
        extra_names = []
        for name, f in fields.items():
            if name in columns:
                continue
            if f.has_default() and not callable(f.default):
                value = f.get_default()
            elif f.null:
                value = None
            else:
                msg = (
                    f"seed_scale does not know how to fill {model.__name__}.{name}; "
                    "add it to the command."
                )
                raise CommandError(msg)
            extra_names.append(name)
            self._extra = (*self._extra, value)
        self.columns = (*columns, *extra_names)
        self._fields = [fields[name] for name in self.columns]
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(f.column)) for f in self._fields)
        table = quote(model._meta.db_table)
        self._copy_sql = f"COPY {table} ({names}) FROM STDIN"
        marks = ", ".join(["%s"] * len(self._fields))
        self._insert_sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608

    def add(self, *row: Any) -> None:
        if self._extra:
            row = (*row, *self._extra)
        if self._copy:
            self._buffer.append("\t".join(map(_copy_text, row)))
        else:
            self._buffer.append(row)
        self.count += 1
        if len(self._buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        with connection.cursor() as cursor:
            if self._copy:
                with cursor.copy(self._copy_sql) as copy:
                    data = "\n".join(self._buffer)
                    copy.write(data + "\n")
            else:
                prepared = [
                    tuple(
                        f.get_db_prep_save(value, connection)
                        for f, value in zip(self._fields, row, strict=True)
                    )
                    for row in self._buffer
                ]
                cursor.executemany(self._insert_sql, prepared)
        self._buffer.clear()


class Ids:
    """Primary keys handed out here, so related rows can be written without a round trip.

    On PostgreSQL the tables are locked against other writers for the transaction and each
    table's identity sequence is moved past the ids used; elsewhere ids continue from the
    largest one stored.
    """

    def __init__(self, tables: Sequence[type[models.Model]], *, postgres: bool) -> None:
        self._postgres = postgres
        self._next: dict[type[models.Model], int] = {}
        with connection.cursor() as cursor:
            if postgres:
                names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
                cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
            for model in tables:
                table = model._meta.db_table
                if postgres:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, %s))",
                        [table, _pk_column(model)],
                    )
                else:
                    pk = connection.ops.quote_name(_pk_column(model))
                    cursor.execute(
                        f"SELECT COALESCE(MAX({pk}), 0) + 1 FROM {connection.ops.quote_name(table)}"  # noqa: S608
                    )
                self._next[model] = int(cursor.fetchone()[0])

    def take(self, model: type[models.Model]) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def finish(self) -> None:
        if not self._postgres:
            return
        with connection.cursor() as cursor:
            for model, value in self._next.items():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [model._meta.db_table, _pk_column(model), value],
                )


# --- The protocols, as copied into plans ----------------------------------------------------


@dataclass(frozen=True)
class ItemTemplate:
    exercise_id: int
    order: int
    note: str
    dose: tuple[Any, ...]  # DOSE_FIELDS, in order
    guardrail_reason: str

    @property
    def sets(self) -> int:
        return int(self.dose[0])

    @property
    def reps(self) -> int | None:
        return self.dose[1]

    @property
    def hold_seconds(self) -> int | None:
        return self.dose[2]

    @property
    def times_per_day(self) -> int:
        return int(self.dose[3])

    @property
    def days_per_week(self) -> int:
        return int(self.dose[4])


@dataclass(frozen=True)
class PhaseTemplate:
    values: tuple[Any, ...]  # PHASE_FIELDS, in order
    start_week: int
    end_week: int
    items: tuple[ItemTemplate, ...]


@dataclass(frozen=True)
class ProtocolTemplate:
    pk: int
    name: str
    version: str
    pathway: str
    phases: tuple[PhaseTemplate, ...]

    def phase_index_for_week(self, week: int) -> int:
        """As ``services._phase_for_week``: the phase covering the week, else the last one
        started, else the first."""
        started = 0
        for index, phase in enumerate(self.phases):
            if phase.start_week <= week < phase.end_week:
                return index
            if phase.start_week <= week:
                started = index
        return started


def load_protocol(slug: str) -> ProtocolTemplate:
    protocol = Protocol.objects.prefetch_related("phases__items__exercise").get(slug=slug)
    phases = []
    for phase in sorted(protocol.phases.all(), key=lambda p: p.order):
        items = []
        for item in sorted(phase.items.all(), key=lambda i: i.order):
            warning = earliest_week_warning(
                exercise=item.exercise, pathway=protocol.pathway, start_week=phase.start_week
            )
            items.append(
                ItemTemplate(
                    exercise_id=item.exercise_id,
                    order=item.order,
                    note=item.note,
                    dose=tuple(getattr(item, f) for f in DOSE_FIELDS),
                    guardrail_reason=_("As in the protocol template.") if warning else "",
                )
            )
        phases.append(
            PhaseTemplate(
                values=tuple(getattr(phase, f) for f in PHASE_FIELDS),
                start_week=phase.start_week,
                end_week=phase.end_week,
                items=tuple(items),
            )
        )
    if not phases:
        msg = f"The protocol {slug!r} has no phases."
        raise CommandError(msg)
    return ProtocolTemplate(
        pk=protocol.pk,
        name=protocol.name,
        version=protocol.version,
        pathway=protocol.pathway,
        phases=tuple(phases),
    )


# --- The generator ------------------------------------------------------------------------


@dataclass
class ClinicInfo:
    pk: int
    clinician_user_ids: list[int] = field(default_factory=list)


@dataclass
class Result:
    counts: dict[str, int]
    focus_clinician_email: str
    focus_clinic_patients: int
    bench_patient_email: str


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID (32 hex digits) from ``rng``: fast, and reproducible with ``--seed``."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF << 76)) | (0x4 << 76)
    bits = (bits & ~(0x3 << 62)) | (0x2 << 62)
    return f"{bits:032x}"


def _weighted[T](rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


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
        self.no_today = no_today
        self.n_patients = patients
        self.days = days
        self.clinicians_per_clinic = clinicians_per_clinic
        self.focus_patients = focus_patients
        self.seed = seed
        self.password_hash = password_hash
        self.now = timezone.now()
        self.protocols = {pathway: load_protocol(slug) for pathway, slug in PROTOCOL_SLUGS.items()}
        self.ids = Ids(
            [
                User,
                Clinic,
                Clinician,
                Patient,
                Plan,
                PlanPhase,
                Prescription,
                PhaseChange,
                ExerciseLog,
                CheckIn,
                Alert,
                AtrsResponse,
                Measurement,
                Message,
            ],
            postgres=postgres,
        )
        copy = postgres
        self.t_user = Table(
            User,
            _cols(
                "id password last_login is_superuser email full_name is_staff is_active date_joined"
            ),
            copy=copy,
        )
        self.t_clinic = Table(
            Clinic,
            _cols(
                "id name slug phone email address requires_mfa opening_hours alert_emails created_at"
            ),
            copy=copy,
        )
        self.t_clinician = Table(
            Clinician, ("id", "user_id", "clinic_id", "role", "created_at"), copy=copy
        )
        self.t_patient = Table(
            Patient,
            _cols(
                "id clinic_id user_id first_name last_name date_of_birth email "
                "injured_side injury_date pathway surgery_date timezone status "
                "created_at updated_at"
            ),
            copy=copy,
        )
        self.t_plan = Table(
            Plan,
            _cols(
                "id patient_id name pathway status anchor_date protocol_id "
                "protocol_version current_phase_id version created_by_id created_at "
                "updated_at activated_at"
            ),
            copy=copy,
        )
        self.t_phase = Table(PlanPhase, ("id", "plan_id", *PHASE_FIELDS, "started_on"), copy=copy)
        self.t_rx = Table(
            Prescription,
            (
                "id",
                "phase_id",
                "exercise_id",
                "order",
                "note",
                "guardrail_reason",
                "retired_at",
                "created_at",
                "updated_at",
                "earlier_doses",
                *DOSE_FIELDS,
            ),
            copy=copy,
        )
        self.t_change = Table(
            PhaseChange,
            _cols("id plan_id from_phase_id to_phase_id changed_by_id changed_at effective_on"),
            copy=copy,
        )
        self.t_log = Table(
            ExerciseLog,
            _cols(
                "id patient_id prescription_id date sets_done reps hold_seconds pain "
                "effort note client_uuid created_at updated_at"
            ),
            copy=copy,
        )
        self.t_checkin = Table(
            CheckIn,
            (
                "id",
                "patient_id",
                "date",
                "pain_at_rest",
                "swelling",
                *(f"flag_{code}" for code in clinical.RED_FLAG_CODES),
                "note",
                "client_uuid",
                "created_at",
            ),
            copy=copy,
        )
        self.t_alert = Table(
            Alert,
            _cols(
                "id patient_id kind code message checkin_id log_id created_at "
                "acknowledged_at acknowledged_by_id"
            ),
            copy=copy,
        )
        self.t_atrs = Table(
            AtrsResponse,
            (
                "id",
                "patient_id",
                "date",
                *AtrsResponse.ITEM_FIELDS,
                "total",
                "client_uuid",
                "created_at",
            ),
            copy=copy,
        )
        self.t_measurement = Table(
            Measurement,
            _cols(
                "id patient_id date heel_rise_reps_injured heel_rise_reps_uninjured "
                "calf_cm_injured calf_cm_uninjured recorded_by_id note client_uuid "
                "created_at"
            ),
            copy=copy,
        )
        self.t_message = Table(
            Message,
            ("id", "patient_id", "author_id", "from_patient", "body", "created_at", "read_at"),
            copy=copy,
        )
        self.tables = [
            self.t_user,
            self.t_clinic,
            self.t_clinician,
            self.t_patient,
            self.t_plan,
            self.t_phase,
            self.t_rx,
            self.t_change,
            self.t_log,
            self.t_checkin,
            self.t_alert,
            self.t_atrs,
            self.t_measurement,
            self.t_message,
        ]
        self._today_by_tz: dict[str, dt.date] = {}
        self._offset_by_tz: dict[str, dt.timezone] = {}
        self._flag_questions = {flag.code: str(flag.question) for flag in clinical.RED_FLAGS}
        self._pain_message = {
            where: {
                pain: _("Pain %(pain)s/10 reported on %(where)s.") % {"pain": pain, "where": where}
                for pain in range(clinical.ALERT_PAIN_THRESHOLD, clinical.SCORE_MAX + 1)
            }
            for where in (_("an exercise log"), _("the daily check-in"))
        }

    # -- helpers --

    def _local_today(self, tz_name: str) -> dt.date:
        if tz_name not in self._today_by_tz:
            local = self.now.astimezone(zoneinfo.ZoneInfo(tz_name))
            self._today_by_tz[tz_name] = local.date()
            offset = local.utcoffset() or dt.timedelta(0)
            self._offset_by_tz[tz_name] = dt.timezone(offset)
        return self._today_by_tz[tz_name]

    def _at(self, day: dt.date, tz_name: str, hour: int, minute: int = 0) -> dt.datetime:
        """``hour:minute`` on ``day`` in the patient's zone (its current UTC offset)."""
        return dt.datetime(
            day.year, day.month, day.day, hour, minute, tzinfo=self._offset_by_tz[tz_name]
        )

    def _past(self, moment: dt.datetime) -> dt.datetime:
        """``moment``, or now if it is later (today's visits that have not happened yet)."""
        return min(moment, self.now)

    def _user(self, email: str, full_name: str, joined: dt.datetime, *, staff: bool = False) -> int:
        pk = self.ids.take(User)
        self.t_user.add(pk, self.password_hash, None, staff, email, full_name, staff, True, joined)
        return pk

    def _clinic_sizes(self) -> list[int]:
        """Patients per clinic: the focus clinic first, the rest spread evenly."""
        if self.n_clinics == 1:
            return [self.n_patients]
        focus = max(1, min(self.focus_patients, self.n_patients - (self.n_clinics - 1)))
        rest = self.n_patients - focus
        base, extra = divmod(rest, self.n_clinics - 1)
        return [focus] + [base + (1 if i < extra else 0) for i in range(self.n_clinics - 1)]

    # -- the run --

    def run(self) -> Result:
        sizes = self._clinic_sizes()
        created = self.now - dt.timedelta(days=400)
        patient_index = 0
        focus_email = FOCUS_CLINICIAN_EMAIL
        for c, size in enumerate(sizes, start=1):
            info = self._clinic(c, created)
            for _n in range(size):
                self._patient(patient_index, info, focus=c == 1)
                patient_index += 1
        for table in self.tables:
            table.flush()
        self.ids.finish()
        return Result(
            counts={t.model._meta.label: t.count for t in self.tables},
            focus_clinician_email=focus_email,
            focus_clinic_patients=sizes[0],
            bench_patient_email=BENCH_PATIENT_EMAIL,
        )

    def _clinic(self, number: int, created: dt.datetime) -> ClinicInfo:
        rng = random.Random(f"{self.seed}:clinic:{number}")  # noqa: S311 (test data)
        pk = self.ids.take(Clinic)
        self.t_clinic.add(
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
        for k in range(self.clinicians_per_clinic):
            if number == 1 and k == 0:
                email = FOCUS_CLINICIAN_EMAIL
            else:
                email = f"clinician-{number:03d}-{k + 1}@{EMAIL_DOMAIN}"
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            user_id = self._user(email, name, created)
            role = Clinician.Role.ADMIN if k == 1 else Clinician.Role.THERAPIST
            self.t_clinician.add(self.ids.take(Clinician), user_id, pk, role, created)
            info.clinician_user_ids.append(user_id)
        return info

    def _patient(self, index: int, clinic: ClinicInfo, *, focus: bool) -> None:  # noqa: PLR0912, PLR0915
        rng = random.Random(f"{self.seed}:patient:{index}")  # noqa: S311 (test data)
        bench = index == 0
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        tz_name = "Europe/London" if bench else _weighted(rng, TIMEZONES)
        today = self._local_today(tz_name)
        pathway = (
            Patient.Pathway.OPERATIVE
            if bench or rng.random() < 0.6
            else Patient.Pathway.NON_OPERATIVE
        )
        if focus:
            status = Patient.Status.ACTIVE
        else:
            status = _weighted(
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
        registered = self._at(anchor, tz_name, 9, rng.randint(0, 59)) - dt.timedelta(days=1)
        activated_at = self._past(self._at(activated_on, tz_name, 10, rng.randint(0, 59)))
        registered = min(registered, activated_at)

        email = BENCH_PATIENT_EMAIL if bench else f"patient-{index + 1}@{EMAIL_DOMAIN}"
        user_id = self._user(email, f"{first} {last}", registered)
        patient_id = self.ids.take(Patient)
        self.t_patient.add(
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
            else self._past(self._at(end, tz_name, 17)),
        )

        # The plan: a copy of the pathway's protocol, as services.plan_from_protocol makes it.
        protocol = self.protocols[pathway]
        plan_id = self.ids.take(Plan)
        phase_ids = [self.ids.take(PlanPhase) for _phase in protocol.phases]
        # Phase history: the phase at activation, then each phase as its start week arrives.
        first_index = protocol.phase_index_for_week((activated_on - anchor).days // 7)
        timeline: list[tuple[dt.date, int]] = [(activated_on, first_index)]
        for p_index in range(first_index + 1, len(protocol.phases)):
            start = anchor + dt.timedelta(weeks=protocol.phases[p_index].start_week)
            if start > end:
                break
            timeline.append((max(start, activated_on), p_index))
        current_index = timeline[-1][1]
        started_on = {p_index: day for day, p_index in timeline}
        plan_status = (
            Plan.Status.ACTIVE if status == Patient.Status.ACTIVE else Plan.Status.COMPLETED
        )
        plan_created = activated_at - dt.timedelta(minutes=rng.randint(5, 120))
        last_change = self._past(self._at(timeline[-1][0], tz_name, 11))
        self.t_plan.add(
            plan_id,
            patient_id,
            protocol.name,
            pathway,
            plan_status,
            anchor,
            protocol.pk,
            protocol.version,
            phase_ids[current_index],
            len(timeline),
            clinician_id,
            plan_created,
            max(last_change, activated_at),
            activated_at,
        )
        rx_by_phase: list[list[tuple[int, ItemTemplate]]] = []
        for p_index, (phase, phase_id) in enumerate(zip(protocol.phases, phase_ids, strict=True)):
            self.t_phase.add(phase_id, plan_id, *phase.values, started_on.get(p_index))
            rows = []
            for item in phase.items:
                rx_id = self.ids.take(Prescription)
                self.t_rx.add(
                    rx_id,
                    phase_id,
                    item.exercise_id,
                    item.order,
                    item.note,
                    item.guardrail_reason,
                    None,
                    plan_created,
                    plan_created,
                    [],  # no earlier doses
                    *item.dose,
                )
                rows.append((rx_id, item))
            rx_by_phase.append(rows)
        previous: int | None = None
        for n, (day, p_index) in enumerate(timeline):
            changed_at = (
                activated_at
                if n == 0
                else self._past(self._at(day, tz_name, 11, rng.randint(0, 59)))
            )
            self.t_change.add(
                self.ids.take(PhaseChange),
                plan_id,
                previous,
                phase_ids[p_index],
                clinician_id,
                changed_at,
                day,
            )
            previous = phase_ids[p_index]

        # How this patient keeps to the plan.
        profile = Profile.DILIGENT if bench else _weighted(rng, Profile.WEIGHTS)
        p0 = {
            Profile.DILIGENT: rng.uniform(0.85, 0.97),
            Profile.LAPSING: rng.uniform(0.75, 0.9),
            Profile.STOPPED: rng.uniform(0.6, 0.85),
            Profile.SPORADIC: rng.uniform(0.2, 0.45),
        }[profile]
        if bench:
            p0 = 0.97  # the benchmarks' model patient: exercises nearly every day
        tau = rng.uniform(20, 90)
        plan_days = (end - activated_on).days + 1
        stop_day = rng.randint(7, max(8, plan_days)) if profile == Profile.STOPPED else 10**6
        session_p = 0.97 if profile == Profile.DILIGENT else 0.88

        def day_probability(t: int) -> float:
            if t >= stop_day:
                return 0.0
            if profile == Profile.LAPSING:
                return max(0.08, p0 * math.exp(-t / tau))
            return p0

        pain_base = rng.uniform(1.5, 3.5)
        checkin_p = {
            Profile.DILIGENT: 0.85,
            Profile.LAPSING: 0.6,
            Profile.STOPPED: 0.6,
            Profile.SPORADIC: 0.25,
        }[profile]

        first_day = max(activated_on, end - dt.timedelta(days=self.days - 1))
        change_pointer = 0
        days = (end - first_day).days + 1
        if self.no_today and end == today:
            days -= 1  # --no-today: nothing logged or checked in today yet
        for offset in range(days):
            day = first_day + dt.timedelta(days=offset)
            while change_pointer + 1 < len(timeline) and timeline[change_pointer + 1][0] <= day:
                change_pointer += 1
            p_index = timeline[change_pointer][1]
            t = (day - activated_on).days
            week = (day - anchor).days // 7
            pain_mean = max(0.5, pain_base - week * 0.06)
            is_today = day == today
            if rng.random() < day_probability(t):
                self._day_of_logs(
                    rng,
                    patient_id=patient_id,
                    tz_name=tz_name,
                    day=day,
                    anchor=anchor,
                    prescriptions=rx_by_phase[p_index],
                    session_p=session_p,
                    pain_mean=pain_mean,
                    clinician_id=clinician_id,
                    is_today=is_today,
                )
            if rng.random() < checkin_p * (1.0 if t < stop_day else 0.05) and not (
                is_today and self.now < self._at(day, tz_name, 20)
            ):
                self._checkin(
                    rng,
                    patient_id=patient_id,
                    tz_name=tz_name,
                    day=day,
                    week=week,
                    pain_mean=pain_mean,
                    clinician_id=clinician_id,
                )
        self._outcomes(
            rng,
            patient_id=patient_id,
            tz_name=tz_name,
            anchor=anchor,
            activated_on=activated_on,
            end=end,
            profile=profile,
            clinician_id=clinician_id,
            bench=bench,
        )
        self._messages(
            rng,
            patient_id=patient_id,
            user_id=user_id,
            tz_name=tz_name,
            start=activated_on,
            end=end,
            clinician_id=clinician_id,
        )

    def _day_of_logs(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        tz_name: str,
        day: dt.date,
        anchor: dt.date,
        prescriptions: list[tuple[int, ItemTemplate]],
        session_p: float,
        pain_mean: float,
        clinician_id: int,
        is_today: bool,
    ) -> None:
        random_ = rng.random
        for rx_id, item in prescriptions:
            if item.days_per_week < 7 and not is_due_on(
                days_per_week=item.days_per_week, anchor=anchor, day=day
            ):
                continue
            for session in range(item.times_per_day):
                if random_() >= session_p:
                    continue
                at = self._at(day, tz_name, 8 + session * 5 + rng.randint(0, 3), rng.randint(0, 59))
                if is_today and at > self.now:
                    continue
                roll = random_()
                if roll < 0.003:
                    pain: int | None = rng.randint(7, 9)  # a flare
                elif roll < 0.2:
                    pain = None
                else:
                    pain = _clamp(pain_mean + rng.gauss(0, 0.8), 0, 6)
                sets = item.sets if random_() < 0.9 else max(1, item.sets - 1)
                note = rng.choice(LOG_NOTES) if random_() < 0.01 else ""
                log_id = self.ids.take(ExerciseLog)
                self.t_log.add(
                    log_id,
                    patient_id,
                    rx_id,
                    day,
                    sets,
                    item.reps,
                    item.hold_seconds,
                    pain,
                    rng.randint(3, 7),
                    note,
                    _uuid(rng),
                    at,
                    at,
                )
                if pain is not None and pain >= clinical.ALERT_PAIN_THRESHOLD:
                    self._alert(
                        rng,
                        patient_id=patient_id,
                        kind=Alert.Kind.HIGH_PAIN,
                        code="",
                        message=self._pain_message[_("an exercise log")][pain],
                        checkin_id=None,
                        log_id=log_id,
                        at=at,
                        clinician_id=clinician_id,
                    )

    def _checkin(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        tz_name: str,
        day: dt.date,
        week: int,
        pain_mean: float,
        clinician_id: int,
    ) -> None:
        roll = rng.random()
        pain = (
            rng.randint(7, 8) if roll < 0.003 else _clamp(pain_mean - 1 + rng.gauss(0, 0.8), 0, 5)
        )
        flags = dict.fromkeys(clinical.RED_FLAG_CODES, False)
        if rng.random() < 0.0015:  # red flags are rare
            flags[rng.choice(clinical.RED_FLAG_CODES)] = True
        swelling = rng.choice(SWELLING_EARLY if week < 8 else SWELLING_LATE)
        at = self._past(self._at(day, tz_name, 20, rng.randint(0, 59)))  # not after now
        checkin_id = self.ids.take(CheckIn)
        self.t_checkin.add(
            checkin_id,
            patient_id,
            day,
            pain,
            swelling,
            *flags.values(),
            "",
            _uuid(rng),
            at,
        )
        for code, raised in flags.items():
            if raised:
                self._alert(
                    rng,
                    patient_id=patient_id,
                    kind=Alert.Kind.RED_FLAG,
                    code=code,
                    message=self._flag_questions[code],
                    checkin_id=checkin_id,
                    log_id=None,
                    at=at,
                    clinician_id=clinician_id,
                )
        if pain >= clinical.ALERT_PAIN_THRESHOLD:
            self._alert(
                rng,
                patient_id=patient_id,
                kind=Alert.Kind.HIGH_PAIN,
                code="",
                message=self._pain_message[_("the daily check-in")][pain],
                checkin_id=checkin_id,
                log_id=None,
                at=at,
                clinician_id=clinician_id,
            )

    def _alert(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        kind: str,
        code: str,
        message: str,
        checkin_id: int | None,
        log_id: int | None,
        at: dt.datetime,
        clinician_id: int,
    ) -> None:
        """Alerts older than two days were mostly acknowledged; newer ones are open."""
        acknowledged_at: dt.datetime | None = None
        if at < self.now - dt.timedelta(days=2) and rng.random() < 0.95:
            acknowledged_at = at + dt.timedelta(minutes=rng.randint(20, 36 * 60))
        self.t_alert.add(
            self.ids.take(Alert),
            patient_id,
            kind,
            code,
            message,
            checkin_id,
            log_id,
            at,
            acknowledged_at,
            clinician_id if acknowledged_at else None,
        )

    def _outcomes(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        tz_name: str,
        anchor: dt.date,
        activated_on: dt.date,
        end: dt.date,
        profile: str,
        clinician_id: int,
        bench: bool = False,
    ) -> None:
        """ATRS at weeks 6, 12 and 26 (and 52); measurements at clinic visits. The bench
        patient has at least one of each whatever the dates (bench.pages opens them)."""
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
            items = [_clamp(target / 10 + rng.gauss(0, 1.2), 0, 10) for _i in range(10)]
            at = self._past(self._at(day, tz_name, 19, rng.randint(0, 59)))
            self.t_atrs.add(
                self.ids.take(AtrsResponse), patient_id, day, *items, sum(items), _uuid(rng), at
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
            self.t_measurement.add(
                self.ids.take(Measurement),
                patient_id,
                day,
                min(200, max(0, reps + rng.randint(-3, 4))),
                uninjured,
                calf - Decimal(rng.randint(5, 30)) / 10,
                calf,
                clinician_id,
                "",
                _uuid(rng),
                self._past(self._at(day, tz_name, 14, rng.randint(0, 59))),
            )

    def _messages(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        user_id: int,
        tz_name: str,
        start: dt.date,
        end: dt.date,
        clinician_id: int,
    ) -> None:
        span = (end - start).days
        for _n in range(rng.choice((0, 0, 1, 1, 2, 3))):
            day = start + dt.timedelta(days=rng.randint(0, span))
            asked = self._at(day, tz_name, rng.randint(7, 21), rng.randint(0, 59))
            if asked > self.now:
                continue
            answered = asked + dt.timedelta(minutes=rng.randint(30, 30 * 60))
            unanswered = answered > self.now or rng.random() < 0.1
            read_at = None if unanswered else asked + dt.timedelta(minutes=rng.randint(5, 29))
            self.t_message.add(
                self.ids.take(Message),
                patient_id,
                user_id,
                True,
                rng.choice(QUESTIONS),
                asked,
                read_at,
            )
            if not unanswered:
                self.t_message.add(
                    self.ids.take(Message),
                    patient_id,
                    clinician_id,
                    False,
                    rng.choice(REPLIES),
                    answered,
                    answered + dt.timedelta(hours=rng.randint(1, 12)),
                )


# --- Wiping -------------------------------------------------------------------------------

# Dependents first. Each entry: a model and the path from it to its patient's clinic slug.
_PATIENT_DATA: tuple[tuple[type[models.Model], str], ...] = (
    (Alert, "patient__clinic__slug"),
    (ExerciseLog, "patient__clinic__slug"),
    (CheckIn, "patient__clinic__slug"),
    (AtrsRequest, "patient__clinic__slug"),
    (AtrsResponse, "patient__clinic__slug"),
    (Measurement, "patient__clinic__slug"),
    (Message, "patient__clinic__slug"),
    (Invitation, "patient__clinic__slug"),
    (PhaseChange, "plan__patient__clinic__slug"),
    (Prescription, "phase__plan__patient__clinic__slug"),
    (PlanPhase, "plan__patient__clinic__slug"),
    (Plan, "patient__clinic__slug"),
    (Patient, "clinic__slug"),
    (Clinician, "clinic__slug"),
)


def _delete_rows(model: type[models.Model], path: str) -> int:
    """DELETE in one statement (no per-row signals or cascades: the order above handles it)."""
    ids = model._default_manager.filter(**{f"{path}__startswith": SLUG_PREFIX}).values("pk")
    sql, params = ids.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(_pk_column(model))
    with connection.cursor() as cursor:
        if model is Plan:  # plans point at their current phase, deleted just before
            unlink = f"UPDATE {table} SET current_phase_id = NULL WHERE {pk} IN ({sql})"  # noqa: S608
            cursor.execute(unlink, params)
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN (SELECT * FROM ({sql}) AS ids)", params)  # noqa: S608
        return int(cursor.rowcount)


def wipe(*, postgres: bool) -> dict[str, int]:
    """Delete every clinic whose slug starts with ``scale-``, everything in it, and the
    ``@scale.example`` accounts. On PostgreSQL, when no other clinic exists (a database kept
    for benchmarks), the patient tables are emptied with ``TRUNCATE … CASCADE``."""
    counts: dict[str, int] = {}
    others = Clinic.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
    if postgres and not others:
        counts["(truncated) patients"] = Patient.objects.count()
        names = ", ".join(
            connection.ops.quote_name(model._meta.db_table) for model, _path in _PATIENT_DATA
        )
        with connection.cursor() as cursor:
            # Checks deferred earlier in this transaction must run before a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names} CASCADE")
    else:
        for model, path in _PATIENT_DATA:
            counts[model._meta.label] = _delete_rows(model, path)
    counts[Clinic._meta.label], _ = Clinic.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    counts[User._meta.label], _ = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    return counts


# --- The command --------------------------------------------------------------------------


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
                for model, _path in _PATIENT_DATA:
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
