"""A row's id as it comes in text: a query string, a form field, a part of a URL."""

from __future__ import annotations

# At most this many digits: any such number fits PostgreSQL's bigint (a longer one would be
# an error there, not a row that does not exist).
ID_MAX_DIGITS = 18


def as_id(value: object) -> int | None:
    """``value`` as a row id if it is written in ASCII digits (at most ``ID_MAX_DIGITS``),
    else None. ``str.isdigit`` alone also takes "²" and "１２", which ``int`` refuses."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= ID_MAX_DIGITS:
        return int(text)
    return None
