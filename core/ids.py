"""A row's id as it comes in text (a query string, a form field), and as a URL shows it
(opaque)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import string

from django.conf import settings
from sqids import Sqids

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


# Opaque ids in URLs. A page's address names its row by a short string, not by the row's
# number: "/clinic/patients/GZUcnUYI/", not "/clinic/patients/17/". A number says how many
# patients a clinic has and which id comes next, and addresses end up in browser history,
# server logs and shared screens. The string is the number encoded with Sqids under an alphabet
# ordered by a key derived from SECRET_KEY: the same number always gives the same string, no
# one without the key can read the number from it or guess the next one. It hides, it grants
# nothing: every view still checks access (another clinic's row is a 404 either way).
# Changing SECRET_KEY changes every address (an old bookmark then finds nothing).
OPAQUE_MIN_LENGTH = 8
OPAQUE_ALPHABET = string.ascii_letters + string.digits


@functools.lru_cache(maxsize=4)
def _coder(secret: str) -> Sqids:
    key = hmac.new(secret.encode(), b"core.ids.opaque", hashlib.sha256).digest()
    alphabet = sorted(
        OPAQUE_ALPHABET, key=lambda c: hmac.new(key, c.encode(), hashlib.sha256).digest()
    )
    return Sqids(alphabet="".join(alphabet), min_length=OPAQUE_MIN_LENGTH)


@functools.lru_cache(maxsize=50_000)
def _encoded(secret: str, number: int) -> str:
    return _coder(secret).encode([number])


def opaque(number: int) -> str:
    """The URL form of row id ``number``."""
    return _encoded(settings.SECRET_KEY, number)


def from_opaque(text: str) -> int | None:
    """The row id ``text`` stands for, or None if it is not one (only the string ``opaque``
    gives for a number is taken: Sqids decodes other strings to numbers too)."""
    if not (text.isascii() and text.isalnum()) or len(text) > 2 * ID_MAX_DIGITS:
        return None
    numbers = _coder(settings.SECRET_KEY).decode(text)
    if len(numbers) != 1 or numbers[0] > 10**ID_MAX_DIGITS or opaque(numbers[0]) != text:
        return None
    return numbers[0]


class OpaqueIdConverter:
    """The ``<opaque:pk>`` path converter (registered by ``core.apps``): the view gets the row
    id; ``reverse()`` and ``{% url %}`` take the row id and write its opaque form."""

    regex = f"[0-9A-Za-z]{{{OPAQUE_MIN_LENGTH},{2 * ID_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = from_opaque(value)
        if number is None:
            raise ValueError(value)  # no match: a 404
        return number

    def to_url(self, value: object) -> str:
        number = as_id(value)
        if number is None:
            raise ValueError(value)
        return opaque(number)
