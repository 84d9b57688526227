"""Names for the tests of the name fields (``core.validators.validate_visible``): made only of
characters that show nothing, refused; with a character that is drawn, accepted as written."""

from __future__ import annotations

# ZERO WIDTH SPACE; the same with a space and a soft hyphen; a byte order mark.
INVISIBLE_NAMES = ["\u200b", "\u200b \u00ad", "\ufeff"]

# An accent, an apostrophe, a Han character, a zero-width joiner inside a word.
VISIBLE_NAMES = ["Zoë", "O'Neil", "李", "Ana\u200dMaria"]

INVISIBLE_MESSAGE = "Enter a name with letters in it, not only spaces or invisible characters."
