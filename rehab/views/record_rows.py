"""The printable record's long tables as rows made in one pass (``rehab.views.records``): a
patient has hundreds of logs and a check-in a day, and a template loop over them costs many
times their data. Every value is escaped here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

DASH = "–"

# A red flag as the check-in's own plain words say it (the page's check-in table).
FLAG_WORDS = {
    "dvt": gettext_lazy("calf pain, swelling, warmth or discolouration"),
    "pe": gettext_lazy("breathlessness, chest pain or coughing blood"),
    "wound": gettext_lazy("wound redness, pus, leaking, fever"),
    "circulation": gettext_lazy("toes blue/white/cold, pins and needles, boot too tight"),
    "rerupture": gettext_lazy("pop or snap, a gap, unable to rise on toes"),
}


def _cell(value: Any) -> str:
    return DASH if value is None else escape(str(value))


def _count(value: int | None) -> str:
    """A count or score (a whole number: nothing to escape) as a cell."""
    return DASH if value is None else str(int(value))


def log_rows(logs: list[dict[str, Any]], *, for_patient: bool) -> SafeString:
    """The printable record's exercise logs as table rows. A patient has hundreds of logs (a
    year: over a thousand): made here in one pass, each value escaped, they cost a fraction of a
    template loop of thousands of nodes, which made the page cost many times its data. The
    patient reads each exercise by its patient name (as in the page's plan), the clinic by its
    clinician name; each date as people write it. Logs share days and exercises: each day is
    formatted, and each name escaped, once."""
    name_key = "exercise_for_patient" if for_patient else "exercise"
    cells: dict[Any, str] = {}

    def day(value: str) -> str:
        if (cell := cells.get(value)) is None:
            cell = cells[value] = _cell(formats.date_format(dt.date.fromisoformat(value)))
        return cell

    def name(log: Mapping[str, Any]) -> str:
        value = log[name_key] or log["exercise"]
        key = ("name", value)
        if (cell := cells.get(key)) is None:
            cell = cells[key] = _cell(value)
        return cell

    return mark_safe(  # noqa: S308  (every value is escaped by _cell, or a number: _count)
        "\n".join(
            "<tr>"
            f"<td>{day(log['date'])}</td>"
            f"<td>{name(log)}</td>"
            f"<td>{_count(log['sets_done'])}</td>"
            f"<td>{_count(log['reps'] or None)}</td>"
            f"<td>{_count(log['pain'])}</td>"
            f"<td>{_count(log['effort'])}</td>"
            f"<td>{_cell(log['note'])}</td>"
            "</tr>"
            for log in logs
        )
    )


def check_in_rows(check_ins: Iterable[Mapping[str, Any]]) -> SafeString:
    """The printable record's check-ins (the page's, ``date`` a date and ``swelling`` in words)
    as table rows, as the template's loop wrote them: the date as people write it, the pain at
    rest and the swelling as given ("–" for a question left unanswered, as in ``log_rows``), the red flags in the check-in's own words (each
    translated once), the note."""
    words = {f"flag_{code}": f"{escape(str(text))}." for code, text in FLAG_WORDS.items()}
    return mark_safe(  # noqa: S308  (every value is escaped)
        "\n".join(
            "<tr>"
            f"<td>{escape(formats.date_format(row['date']))}</td>"
            f"<td>{_cell(row['pain_at_rest'])}</td>"
            f"<td>{_cell(row['swelling'])}</td>"
            f"<td>{' '.join(text for flag, text in words.items() if row[flag])}</td>"
            f"<td>{_cell(row['note'])}</td>"
            "</tr>"
            for row in check_ins
        )
    )
