"""The tables a run writes: one ``Table`` per model, with the columns the generator gives
values for, in the order it gives them (a field left out is filled with its constant default or
null, see ``writer.Table``); and the ids handed out for their rows."""

from __future__ import annotations

from clinic.models import Clinic, Clinician, Message, Patient, User
from rehab import clinical
from rehab.management.scale.writer import Ids, Table
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.services.plans import DOSE_FIELDS, PHASE_FIELDS


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


class Tables:
    """The tables, in the order they are flushed, and the ids of their rows. On PostgreSQL,
    making them locks the tables against other writers until the transaction ends."""

    def __init__(self, *, postgres: bool) -> None:
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
        self.user = Table(
            User,
            _cols(
                "id password last_login is_superuser email full_name is_staff is_active date_joined"
            ),
            copy=copy,
        )
        self.clinic = Table(
            Clinic,
            _cols(
                "id name slug phone email address requires_mfa opening_hours alert_emails created_at"
            ),
            copy=copy,
        )
        self.clinician = Table(
            Clinician, ("id", "user_id", "clinic_id", "role", "created_at"), copy=copy
        )
        self.patient = Table(
            Patient,
            _cols(
                "id clinic_id user_id first_name last_name date_of_birth email "
                "injured_side injury_date pathway surgery_date timezone status "
                "created_at updated_at"
            ),
            copy=copy,
        )
        self.plan = Table(
            Plan,
            _cols(
                "id patient_id name pathway status anchor_date protocol_id "
                "protocol_version current_phase_id version created_by_id created_at "
                "updated_at activated_at"
            ),
            copy=copy,
        )
        self.phase = Table(PlanPhase, ("id", "plan_id", *PHASE_FIELDS, "started_on"), copy=copy)
        self.prescription = Table(
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
        self.phase_change = Table(
            PhaseChange,
            _cols("id plan_id from_phase_id to_phase_id changed_by_id changed_at effective_on"),
            copy=copy,
        )
        self.log = Table(
            ExerciseLog,
            _cols(
                "id patient_id prescription_id date sets_done sets_prescribed reps hold_seconds pain "
                "effort note client_uuid created_at updated_at"
            ),
            copy=copy,
        )
        self.checkin = Table(
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
        self.alert = Table(
            Alert,
            _cols(
                "id patient_id kind code message checkin_id log_id created_at "
                "acknowledged_at acknowledged_by_id"
            ),
            copy=copy,
        )
        self.atrs = Table(
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
        self.measurement = Table(
            Measurement,
            _cols(
                "id patient_id date heel_rise_reps_injured heel_rise_reps_uninjured "
                "calf_cm_injured calf_cm_uninjured recorded_by_id note client_uuid "
                "created_at"
            ),
            copy=copy,
        )
        self.message = Table(
            Message,
            ("id", "patient_id", "author_id", "from_patient", "body", "created_at", "read_at"),
            copy=copy,
        )
        self.all = [
            self.user,
            self.clinic,
            self.clinician,
            self.patient,
            self.plan,
            self.phase,
            self.prescription,
            self.phase_change,
            self.log,
            self.checkin,
            self.alert,
            self.atrs,
            self.measurement,
            self.message,
        ]

    def flush(self) -> None:
        """Write what is buffered, then move each table's sequence past the ids used."""
        for table in self.all:
            table.flush()
        self.ids.finish()

    def counts(self) -> dict[str, int]:
        """Rows written, by model label."""
        return {t.model._meta.label: t.count for t in self.all}
