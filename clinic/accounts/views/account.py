"""The signed-in person's account page: two-factor sign-in, where they are signed in, and
(for a patient) their data and who at the clinic opened their record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.access import patient_of
from clinic.accounts import mfa
from clinic.accounts import selectors as account_selectors
from clinic.models import User


@require_GET
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):  # login_required has checked
        raise Http404
    return render(
        request,
        "clinic/account.html",
        {
            "title": _("Your account"),
            "mfa_on": mfa.has_confirmed_device(user),
            "mfa_role_required": mfa.role_requires_mfa(user),
            "mfa_enforced": settings.MFA_REQUIRED,
            "recovery_codes_left": mfa.recovery_codes_left(user),
            # The browsers the sessions page lists: signed-out ones are not counted.
            "session_count": len(account_selectors.user_sessions_listed(request, user)),
            "is_patient": patient_of(user) is not None,
        },
    )
