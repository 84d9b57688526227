"""Writes to the audit trail: one INSERT per request at most."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Subquery

from audit.models import AccessEvent
from clinic.models import Clinician, Patient
from core import touched as touched_patients
from core.client import client_ip

# C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
USER_AGENT_MAX = 200


def clean_text(value: Any, max_length: int) -> str:
    """Text safe to store and to print in a log line: no control characters, no newlines."""
    text = _CONTROL.sub("", str(value or ""))
    return text[:max_length]


def actor_role(user: Any) -> str:
    """The user's role, from objects the access helpers already loaded (no query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    cache = getattr(getattr(user, "_state", None), "fields_cache", {})
    clinician = cache.get("clinician")
    if isinstance(clinician, Clinician):
        return f"clinician:{clinician.role}"
    if isinstance(cache.get("patient"), Patient):
        return "patient"
    if getattr(user, "is_superuser", False):
        return "superuser"
    if getattr(user, "is_staff", False):
        return "staff"
    return "user"


@dataclass(frozen=True)
class Target:
    """One patient an event is about: a known id, or a subquery giving it (admin and API
    object routes), or nothing (a list)."""

    patient_id: int | None = None
    lookup: Subquery | None = None


def record(
    *,
    user: Any,
    action: str,
    what: str,
    method: str,
    path: str,
    meta: dict[str, Any],
    targets: Iterable[Target],
) -> list[AccessEvent]:
    """Store one event per target in a single INSERT."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    common: dict[str, Any] = {
        "actor": user if authenticated else None,
        "actor_email": clean_text(getattr(user, "email", "") if authenticated else "", 254),
        "actor_name": clean_text(getattr(user, "full_name", "") if authenticated else "", 150),
        "actor_role": clean_text(actor_role(user), 30),
        "action": action,
        "what": clean_text(what, 200),
        "method": clean_text(method, 10),
        "path": clean_text(path, 500),
        "ip_address": client_ip(meta),
        "user_agent": clean_text(meta.get("HTTP_USER_AGENT", ""), USER_AGENT_MAX),
    }
    targets = list(targets)
    if not targets:
        return []
    if all(target.lookup is None for target in targets):
        # Every page a patient or clinician reads: the hot path, an INSERT whose SQL is built
        # once (see _insert_sql).
        return _insert(
            [
                AccessEvent(patient_id=t.patient_id, patient_ref=t.patient_id, **common)
                for t in targets
            ]
        )
    events = []
    for target in targets:
        ref: Subquery | int | None
        if target.lookup is not None:
            patient: Subquery | None = target.lookup
            ref = target.lookup
        elif target.patient_id is not None:
            # The row may be gone by now (erased in this request): keep the id, NULL the FK.
            patient = Subquery(
                Patient.objects.filter(pk=target.patient_id).order_by().values("pk")[:1]
            )
            ref = target.patient_id
        else:
            patient = ref = None
        events.append(AccessEvent(patient_id=patient, patient_ref=ref, **common))
    return AccessEvent.objects.bulk_create(events)


# Every column but the key, from the model, so that a new field is written here too.
_COLUMNS = [f for f in AccessEvent._meta.concrete_fields if not f.primary_key]


def _column(field: Any) -> str:
    return connection.ops.quote_name(field.column)


@functools.cache
def _insert_sql(rows: int) -> str:
    """``INSERT`` of ``rows`` events, as ``bulk_create`` with a patient subquery would write it
    (built once per row count; the ORM spends ~0.5 ms compiling it on every request)."""
    # Only the models' own table and column names are formatted in (quoted); every value is a
    # parameter. The patient may be gone by now (erased in this request): keep the id, NULL
    # the FK.
    patient_pk = _column(Patient._meta.pk)
    patients = connection.ops.quote_name(Patient._meta.db_table)
    patient = f"(SELECT {patient_pk} FROM {patients} WHERE {patient_pk} = %s)"  # noqa: S608
    row = "(" + ", ".join(patient if f.name == "patient" else "%s" for f in _COLUMNS) + ")"
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    columns = ", ".join(_column(f) for f in _COLUMNS)
    values = ", ".join([row] * rows)
    key = _column(AccessEvent._meta.pk)
    return f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {key}"  # noqa: S608


def _insert(events: list[AccessEvent]) -> list[AccessEvent]:
    params = [
        field.get_db_prep_save(field.pre_save(event, True), connection)  # as bulk_create
        for event in events
        for field in _COLUMNS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(len(events)), params)
        ids = [row[0] for row in cursor.fetchall()]
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = connection.alias
    return events


def record_for_request(request: Any, *, action: str, patient_id: int) -> list[AccessEvent]:
    """Record an export or an erasure of one patient explicitly, from the view that did it.

    The patient is taken off the request's collector (``core.touched``), so the middleware
    does not also record the same request as a plain read or change: the trail shows one row,
    with this action. Call it last, once the answer is ready.
    """
    from audit import routes  # noqa: PLC0415 (routes imports this module)

    touched = touched_patients.current.get()
    if touched is not None:
        touched.discard(int(patient_id))
    match = getattr(request, "resolver_match", None)
    return record(
        user=getattr(request, "user", None),
        action=action,
        what=routes.describe(match) if match is not None else "",
        method=(request.method or "").upper(),
        path=routes.safe_path(request.path, match) if match is not None else request.path,
        meta=request.META,
        targets=[Target(patient_id=int(patient_id))],
    )
