"""A form sent twice: a double click, or a retry after a slow answer. A page that adds a row
carries an id made once when it was drawn, its client id (``client_uuid_field``, unique where
set: ``client_uuid_once``): sent again, however late, it finds the row it added. A service that
adds a row with no client id (an older page, an API client that sends none) treats the same row
added moments ago as that same submit, and returns it instead of adding a second one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The same row asked for again within this long is the same form sent twice.
RESUBMIT_WINDOW = dt.timedelta(seconds=30)


def resubmit_since() -> dt.datetime:
    """Rows created after this moment may be the one a repeated submit asks for."""
    return timezone.now() - RESUBMIT_WINDOW


def client_uuid_field(help_text: StrOrPromise) -> models.UUIDField:
    """A row's client id: made once by the page (or the API client) that adds it; null for a
    row added without one. Not edited, and unique where set (``client_uuid_once``)."""
    return models.UUIDField(
        _("client id"), null=True, blank=True, editable=False, help_text=help_text
    )


def client_uuid_once(name: str) -> models.UniqueConstraint:
    """A client id names one row: the constraint of a model's ``client_uuid_field``."""
    return models.UniqueConstraint(
        fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name=name
    )


def sent_before[M: models.Model](
    rows: QuerySet[M], client_uuid: UUID, *, mine: Callable[[M], bool], refused: StrOrPromise
) -> M | None:
    """The row of ``rows`` (all of the model's) that ``client_uuid`` added, if any: the same
    page sent again, however late. A row someone else added (``mine`` false: another clinic's,
    another patient's, another person's) is no retry of this submit: refused with ``refused``
    (what to do instead), without a word about that row."""
    stored = rows.filter(client_uuid=client_uuid).first()
    if stored is not None and not mine(stored):
        raise ValidationError({"client_uuid": ValidationError(refused, code="client_uuid_in_use")})
    return stored
