"""Writing rows fast: every id is assigned here (reserved from the table's sequence), so rows
that point at each other are written without reading anything back; on PostgreSQL each table is
streamed with ``COPY`` (psycopg 3's ``cursor.copy()``), elsewhere with ``executemany`` of values
that each field prepares itself (``bulk_create`` would overwrite the ``auto_now_add`` times the
history needs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, models

FLUSH_ROWS = 100_000  # rows buffered per table before they are streamed to the database

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def pk_column(model: type[models.Model]) -> str:
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
                    "add it to its columns in rehab.management.scale.tables."
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
                        [table, pk_column(model)],
                    )
                else:
                    pk = connection.ops.quote_name(pk_column(model))
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
                    [model._meta.db_table, pk_column(model), value],
                )
