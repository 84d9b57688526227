"""Changing one's password, or setting a new one from an emailed link: Django's views, and then
the list of sessions (and what is kept per browser) kept honest."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpResponse

from clinic.accounts import services as account_services
from clinic.models import User


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change. The change signs out every other browser (their sessions hold
    the old password's hash) and cycles this session's key (``update_session_auth_hash``): this
    session's row is recorded under its new key and the others' rows are forgotten here, a
    write, rather than when the account pages are read; what is kept per browser (push
    notifications) follows this session's new key and ends for the browsers signed out."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        previous_key = self.request.session.session_key
        response = super().form_valid(form)
        if isinstance(form.user, User):
            account_services.password_changed(self.request, form.user, previous_key=previous_key)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new password from an emailed link. It signs out every browser where the user was
    signed in: what is kept for those browsers (push notifications) ends with them, and their
    rows in the user's list are forgotten."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        if isinstance(form.user, User):
            account_services.password_reset(user=form.user)
        return response
