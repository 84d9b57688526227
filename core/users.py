"""The signed-in user, typed as the project's user model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest


def signed_in_user[U](request: HttpRequest, user_model: type[U]) -> U:
    """``request.user`` as ``user_model``, for views that require a sign-in (their decorator
    has checked; anyone else gets a 404 here too)."""
    user = request.user
    if not isinstance(user, user_model):
        raise Http404
    return user


def signed_in_record[R](request: HttpRequest, record_of: Callable[[Any], R | None]) -> R:
    """``record_of(request.user)``: the signed-in person's patient or clinician record, for
    views whose decorator or permission has checked there is one (else a 404 here too)."""
    record = record_of(request.user)
    if record is None:
        raise Http404
    return record
