"""Removing an earlier run's data: every clinic whose slug starts with ``scale-``, everything
in it, and the ``@scale.example`` accounts."""

from __future__ import annotations

from django.db import connection, models

from clinic.models import Clinic, Clinician, Invitation, Message, Patient, User
from rehab.management.scale.accounts import EMAIL_DOMAIN, SLUG_PREFIX
from rehab.management.scale.writer import pk_column
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription

# Dependents first. Each entry: a model and the path from it to its patient's clinic slug.
PATIENT_DATA: tuple[tuple[type[models.Model], str], ...] = (
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
    pk = connection.ops.quote_name(pk_column(model))
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
            connection.ops.quote_name(model._meta.db_table) for model, _path in PATIENT_DATA
        )
        with connection.cursor() as cursor:
            # Checks deferred earlier in this transaction must run before a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names} CASCADE")
    else:
        for model, path in PATIENT_DATA:
            counts[model._meta.label] = _delete_rows(model, path)
    counts[Clinic._meta.label], _ = Clinic.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    counts[User._meta.label], _ = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    return counts
