"""A form sent twice: a double click, or a retry after a slow answer. A service that adds a row
with no client-chosen key treats the same row added moments ago as that same submit, and returns
it instead of adding a second one (the logbook's rows have a client UUID instead)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# The same row asked for again within this long is the same form sent twice.
RESUBMIT_WINDOW = dt.timedelta(seconds=30)


def resubmit_since() -> dt.datetime:
    """Rows created after this moment may be the one a repeated submit asks for."""
    return timezone.now() - RESUBMIT_WINDOW
