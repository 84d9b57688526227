"""Log hygiene: user input must not be able to write a line of its own into the log.

``EscapeControlCharacters`` (installed on the root handler in ``settings.LOGGING``) formats the
record's message with its arguments and escapes every control character in it: a name or email
such as ``"Ann\\n[CRITICAL] forged"`` is written as ``Ann\\n[CRITICAL] forged`` on one line, with
a visible backslash-n, never as a second, forged log line. Tracebacks (``exc_info``) are added
by the formatter afterwards and keep their own line breaks.
"""

from __future__ import annotations

import logging
import re

# C0 and C1 control characters (including CR, LF, TAB, ESC, DEL, NEL) and Unicode's own line
# and paragraph separators: anything a terminal or log viewer may take as a new line or a code.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def escape_control_characters(text: str) -> str:
    """``text`` with every control character written as a visible escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_escape_one, text)


class EscapeControlCharacters(logging.Filter):
    """Escape control characters in the formatted message (and so in its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        escaped = escape_control_characters(message)
        if escaped != message or record.args:
            record.msg = escaped
            record.args = ()
        return True
