"""Validators every app shares.

``validate_visible`` refuses a name nobody can read. Django's forms and DRF's serializers strip
a value with ``str.strip()``, which keeps the format characters (U+200B ZERO WIDTH SPACE,
U+200C/U+200D, U+2060 WORD JOINER, U+FEFF, the soft hyphen U+00AD, …): a name made only of
those is stored and then shows as blank on every list and header. A name needs at least one
character that is drawn.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode categories of characters that show nothing: spaces and line or paragraph separators,
# control characters, and format characters (zero-width spaces and joiners, soft hyphen, byte
# order mark, bidirectional marks, tags).
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})

# Characters Unicode lists as default ignorable (drawn as nothing) in other categories: the
# combining grapheme joiner, the Hangul fillers, the Khmer inherent vowels, the Mongolian
# variation selectors and the variation selectors, which are marks and letters that show
# nothing on their own.
INVISIBLE_OTHERS = frozenset(
    {
        "\u034f",
        "\u115f",
        "\u1160",
        "\u17b4",
        "\u17b5",
        "\u3164",
        "\uffa0",
        *(chr(code) for code in range(0x180B, 0x1810)),
        *(chr(code) for code in range(0xFE00, 0xFE10)),
        *(chr(code) for code in range(0xE0100, 0xE01F0)),
    }
)

INVISIBLE_NAME = _("Enter a name with letters in it, not only spaces or invisible characters.")


def is_visible(char: str) -> bool:
    """Whether ``char`` (one character) is drawn."""
    return char not in INVISIBLE_OTHERS and unicodedata.category(char) not in INVISIBLE_CATEGORIES


def validate_visible(value: str) -> None:
    """Refuse a value that is not empty but has no character that is drawn (an empty value is
    the field's own business: required or blank)."""
    if value and not any(is_visible(char) for char in value):
        raise ValidationError(INVISIBLE_NAME, code="invisible")
