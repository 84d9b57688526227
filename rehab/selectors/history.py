"""Reads of the history django-simple-history keeps of exercises and templates: who changed
what, when, for a clinic admin's history pages.

Each function reads a bounded number of queries (one per history table) however long the
history is; differences are computed in Python between consecutive records of one row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from rehab.models.library import Exercise
from rehab.models.protocols import Protocol, ProtocolItem, ProtocolPhase

HISTORY_MAX = 200  # rows per page kind; older ones stay in the tables (and the admin)
_NOT_SHOWN = {"id", "history_id", "history_date", "history_type", "history_user", "updated_at"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    when: dt.datetime
    who: str
    what: str  # "Created", "Changed", "Deleted"
    subject: str  # the row: the exercise, "Template v2", "Phase 1: …", "Item: …"
    fields: list[FieldChange] = field(default_factory=list)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _label(model: type[Model], name: str) -> str:
    """The label of the model's field ``name``, read through its descriptor
    (``Model.<name>.field``); the name itself if the model has no such field."""
    found = getattr(getattr(model, name, None), "field", None)
    return str(getattr(found, "verbose_name", name))


WHAT = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _changes(records: Iterable[Any], model: type[Model], subject: Any) -> list[Change]:
    """``records`` of one or more rows (newest first), each with its difference from that
    row's previous record."""
    by_row: dict[Any, list[Any]] = {}
    for record in records:
        by_row.setdefault(record.id, []).append(record)
    changes: list[Change] = []
    for rows in by_row.values():
        rows.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in rows:
            change = Change(
                when=record.history_date,
                who=_who(record),
                what=str(WHAT.get(record.history_type, record.history_type)),
                subject=subject(record),
            )
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
                change.fields = [
                    FieldChange(label=_label(model, c.field), old=_show(c.old), new=_show(c.new))
                    for c in delta.changes
                    if c.field not in _NOT_SHOWN
                ]
                if not change.fields:
                    previous = record
                    continue
            changes.append(change)
            previous = record
    return changes


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return str(user.get_full_name())


def _recent(history: QuerySet[Any]) -> list[Any]:
    return list(history.select_related("history_user").order_by("-history_date")[:HISTORY_MAX])


def exercise_changes(exercise: Exercise) -> list[Change]:
    """Every recorded change of the exercise, newest first. One query."""
    records = _recent(Exercise.history.filter(id=exercise.pk))
    changes = _changes(records, Exercise, lambda r: r.name)
    return sorted(changes, key=lambda c: c.when, reverse=True)


def template_changes(protocol: Protocol) -> list[Change]:
    """Every recorded change of every version of the template (its ``lineage``), its phases
    and items, newest first. Five queries."""
    versions = Protocol.objects.filter(lineage=protocol.lineage).values_list("pk", flat=True)
    version_ids = list(versions)
    protocols = _recent(Protocol.history.filter(id__in=version_ids))
    phases = _recent(ProtocolPhase.history.filter(protocol_id__in=version_ids))
    items = _recent(
        ProtocolItem.history.filter(
            phase_id__in=ProtocolPhase.objects.filter(protocol_id__in=version_ids).values("pk")
        )
    )
    names = dict(  # 4: the items' exercises by id
        Exercise.objects.filter(pk__in={r.exercise_id for r in items}).values_list("pk", "name")
    )
    changes = [
        *_changes(protocols, Protocol, lambda r: _("Version %(v)s") % {"v": r.version}),
        *_changes(phases, ProtocolPhase, lambda r: _("Phase: %(name)s") % {"name": r.name}),
        *_changes(
            items,
            ProtocolItem,
            lambda r: _("Exercise: %(name)s") % {"name": names.get(r.exercise_id, "?")},
        ),
    ]
    return sorted(changes, key=lambda c: c.when, reverse=True)
