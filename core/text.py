"""Text compared the way people read it: letter case and accents ignored ("castaneda" finds
"Castañeda", "muller" finds "Müller").

``fold`` is a database expression: PostgreSQL's ``unaccent`` (an extension the clinic app's
migrations create), and on SQLite the same name registered as a Python function
(``register_sqlite_unaccent``, on each new connection), so that a search gives the same rows
on both. ``unaccent`` is that Python function: the accents dropped (Unicode decomposition) and
the letters PostgreSQL's ``unaccent`` spells out (ß → ss, ø → o, æ → ae, ł → l, …) spelled
out alike.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import CharField, Expression, F, Func, Value
from django.db.models.functions import Lower

# Letters with no accent to strip, which PostgreSQL's unaccent.rules spells out.
_SPELLED_OUT = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def unaccent(text: str | None) -> str | None:
    """``text`` without its accents (None stays None, as SQL's NULL)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_SPELLED_OUT)


class Unaccent(Func):
    function = "UNACCENT"
    output_field = CharField()


def fold(value: str | Expression | F) -> Func:
    """``value`` (a field name as ``F``, an expression, or a string to compare with) without
    accents, in lower case."""
    expression = Value(value) if isinstance(value, str) else value
    return Lower(Unaccent(expression))


def register_sqlite_unaccent(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give a new SQLite connection the ``UNACCENT`` function
    (PostgreSQL has its own, from the ``unaccent`` extension)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, unaccent, deterministic=True)
