"""The signed-in user, typed as the project's user model."""

from __future__ import annotations

from django.http import Http404, HttpRequest


def signed_in_user[U](request: HttpRequest, user_model: type[U]) -> U:
    """``request.user`` as ``user_model``, for views that require a sign-in (their decorator
    has checked; anyone else gets a 404 here too)."""
    user = request.user
    if not isinstance(user, user_model):
        raise Http404
    return user
