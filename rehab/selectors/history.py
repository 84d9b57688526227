"""Reads of the history django-simple-history keeps of exercises and templates: who changed
what, when, for a clinic admin's history pages.

Each function reads a bounded number of queries (one per history table, and one per kind of
row a changed foreign key names) however long the history is; differences are computed in
Python between consecutive records of one row, and shown as the pages write values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
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


def _show(field: Any, value: Any, names: dict[tuple[Any, Any], str]) -> str:
    """A stored value as the pages write it: a choice by its label, a flag as yes or no, a
    time or a date as the pages write them, a foreign key by the row's name (``names``)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, list | bool):
        return _show_list_or_flag(value)
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "j M Y")
    related = getattr(field, "related_model", None)
    if related is not None:
        return names.get((related, value), str(value))
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))


def _show_list_or_flag(value: list[Any] | bool) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "; ".join(str(item) for item in value)


def _field(model: type[Model], name: str) -> Any:
    """The model's field ``name``, read through its descriptor (``Model.<name>.field``);
    ``None`` if the model has no such field."""
    return getattr(getattr(model, name, None), "field", None)


def _related_names(model: type[Model], deltas: Iterable[Any]) -> dict[tuple[Any, Any], str]:
    """The names of the rows the foreign keys in ``deltas`` (each a record's difference from
    the one before) point to, by (model, id): one query per model pointed to."""
    wanted: dict[Any, set[Any]] = {}
    for delta in deltas:
        for change in delta.changes:
            related = getattr(_field(model, change.field), "related_model", None)
            if related is not None:
                wanted.setdefault(related, set()).update(
                    v for v in (change.old, change.new) if v is not None
                )
    names: dict[tuple[Any, Any], str] = {}
    for related, ids in wanted.items():
        names.update(((related, row.pk), str(row)) for row in related.objects.filter(pk__in=ids))
    return names


def _label(model: type[Model], name: str) -> str:
    """The label of the model's field ``name``; the name itself if the model has no such
    field."""
    return str(getattr(_field(model, name), "verbose_name", name))


WHAT = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _changes(records: Iterable[Any], model: type[Model], subject: Any) -> list[Change]:
    """``records`` of one or more rows (newest first), each with its difference from that
    row's previous record."""
    by_row: dict[Any, list[Any]] = {}
    for record in records:
        by_row.setdefault(record.id, []).append(record)
    deltas: list[tuple[Any, Any]] = []  # (difference from the previous record, record)
    for rows in by_row.values():
        rows.sort(key=lambda r: (r.history_date, r.history_id))
        previous: Any = None
        for record in rows:
            delta: Any = None
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
            deltas.append((delta, record))
            previous = record
    names = _related_names(model, (d for d, _r in deltas if d is not None))
    changes: list[Change] = []
    for delta, record in deltas:
        change = Change(
            when=record.history_date,
            who=_who(record),
            what=str(WHAT.get(record.history_type, record.history_type)),
            subject=subject(record),
        )
        if delta is not None:
            change.fields = [
                FieldChange(
                    label=_label(model, c.field),
                    old=_show(_field(model, c.field), c.old, names),
                    new=_show(_field(model, c.field), c.new, names),
                )
                for c in delta.changes
                if c.field not in _NOT_SHOWN
            ]
            if not change.fields:
                continue
        changes.append(change)
    return changes


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return str(user.get_full_name())


def _recent(history: QuerySet[Any]) -> list[Any]:
    return list(history.select_related("history_user").order_by("-history_date")[:HISTORY_MAX])


def exercise_changes(exercise: Exercise) -> list[Change]:
    """Every recorded change of the exercise, newest first. One query, and one more if a
    changed foreign key (``progresses_to``) is named."""
    records = _recent(Exercise.history.filter(id=exercise.pk))
    changes = _changes(records, Exercise, lambda r: r.name)
    return sorted(changes, key=lambda c: c.when, reverse=True)


def template_changes(protocol: Protocol) -> list[Change]:
    """Every recorded change of every version of the template (its ``lineage``), its phases
    and items, newest first. Five queries, and one more per kind of row a changed foreign key
    points to."""
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
