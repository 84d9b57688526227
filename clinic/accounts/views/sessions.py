"""A signed-in person's own browser sessions: see them, end one, or end all but this one.

Each session is a ``clinic.UserSession`` row (recorded at sign-in, see ``clinic.accounts.signals``).
Ending one deletes the Django session from the session store (that browser is signed out at
its next request) and the row. A session is named by its row's id, never by its session key
(a bearer credential that is not shown, even to its owner); another person's id answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic.accounts import selectors, services
from clinic.models import User, UserSession
from core.ids import as_id
from core.users import signed_in_user


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    # Only the browsers still signed in (the account page counts the same ones); a GET only
    # reads, the rows of the others are forgotten by a write (sign-in, the hourly tick).
    rows = selectors.user_sessions_listed(request, signed_in_user(request, User))
    current = request.session.session_key
    return render(
        request,
        "clinic/sessions.html",
        {
            "title": _("Where you are signed in"),
            "rows": rows,
            "current_key": current,
            "others": sum(1 for row in rows if row.session_key != current),
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest) -> HttpResponse:
    """End one of the signed-in person's sessions (``session`` = the row's id)."""
    pk = as_id(request.POST.get("session", ""))
    row = (
        UserSession.objects.filter(user=signed_in_user(request, User), pk=pk).first()
        if pk is not None
        else None
    )
    if row is None:  # someone else's, or already ended (a second click): nothing to do here
        raise Http404
    if row.session_key == request.session.session_key:
        logout(request)  # this device: an ordinary sign-out (its receiver deletes the row)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    services.user_sessions_end(signed_in_user(request, User), pk=row.pk)
    messages.success(request, _("That session has been signed out."))
    return redirect("clinic:sessions")


@login_required
@require_POST
def session_end_others(request: HttpRequest) -> HttpResponse:
    """End every session of the signed-in person but this one."""
    count = services.user_sessions_end(
        signed_in_user(request, User), keep_key=request.session.session_key
    )
    messages.success(
        request,
        _("Signed out everywhere else.") if count else _("You were not signed in anywhere else."),
    )
    return redirect("clinic:sessions")
