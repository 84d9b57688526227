"""Writes to the audit trail: one ``bulk_create`` (one INSERT) per request at most."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Subquery

from audit.models import AccessEvent
from clinic.models import Patient, User
from core import touched as touched_patients
from core.client import client_ip

# C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
USER_AGENT_MAX = 200


def clean_text(value: Any, max_length: int) -> str:
    """Text safe to store and to print in a log line: no control characters, no newlines."""
    text = _CONTROL.sub("", str(value or ""))
    return text[:max_length]


def _loaded(user: User, name: str) -> Any:
    """The user's one-to-one ``name`` (clinician, patient) if this request has already loaded
    it (the session's user comes with both), else None: no query."""
    if not getattr(User, name).is_cached(user):
        return None
    try:
        return getattr(user, name)
    except ObjectDoesNotExist:
        return None


def actor_role(user: Any) -> str:
    """The user's role, from objects the access helpers already loaded (no query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if isinstance(user, User):
        clinician = _loaded(user, "clinician")
        if clinician is not None:
            return f"clinician:{clinician.role}"
        if _loaded(user, "patient") is not None:
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
    role = actor_role(user)
    # A patient acts on their own record: their id says who; a name or address kept in an
    # append-only row would outlive the record's erasure.
    named = authenticated and role != "patient"
    common: dict[str, Any] = {
        # The id, not the user: setting the relation checks it again for each of a list's rows.
        "actor_id": user.pk if authenticated else None,
        "actor_email": clean_text(getattr(user, "email", "") if named else "", 254),
        "actor_name": clean_text(getattr(user, "full_name", "") if named else "", 150),
        "actor_role": clean_text(role, 30),
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
    if action == AccessEvent.Action.READ and transaction.get_autocommit():
        # A read erases no one: the ids are stored as they are, in one plain INSERT (a list
        # page names dozens of patients, and a subquery each costs more to build than the
        # page). If one was erased meanwhile by someone else, the INSERT's commit refuses the
        # row (the foreign key): then store them the careful way, below.
        try:
            return AccessEvent.objects.bulk_create(
                [_event(common, target, careful=False) for target in targets]
            )
        except IntegrityError:
            pass
    return AccessEvent.objects.bulk_create(
        [_event(common, target, careful=True) for target in targets]
    )


def _event(common: dict[str, Any], target: Target, *, careful: bool) -> AccessEvent:
    """The event about ``target``. ``careful``: a known id's row may be gone by now (erased in
    this request): keep the id, NULL the FK (a subquery finds whether it is still there)."""
    ref: Subquery | int | None
    patient: Subquery | int | None
    if target.lookup is not None:
        patient = ref = target.lookup
    elif target.patient_id is not None:
        ref = target.patient_id
        patient = (
            Subquery(Patient.objects.filter(pk=ref).order_by().values("pk")[:1]) if careful else ref
        )
    else:
        patient = ref = None
    return AccessEvent(patient_id=patient, patient_ref=ref, **common)


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
