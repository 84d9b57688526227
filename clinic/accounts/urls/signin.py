"""Sign-in, password reset and change: Django's auth views, under their un-namespaced names."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from clinic.accounts.forms import SignInForm
from clinic.accounts.views.password import PasswordChangeView, PasswordResetConfirmView
from core.ratelimit import rate_limit

# Django's auth views reverse un-namespaced names ("login", "password_reset_done", …). Those
# listed here have the site's own page titles; the rest come from django.contrib.auth.urls.
auth_urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
            extra_context={"title": _("Sign in")},
        ),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        rate_limit("password_reset")(
            auth_views.PasswordResetView.as_view(extra_context={"title": _("Reset your password")})
        ),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(extra_context={"title": _("Check your email")}),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(extra_context={"title": _("Choose a new password")}),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            extra_context={"title": _("Password changed")}
        ),
        name="password_reset_complete",
    ),
    path(
        "accounts/password_change/",
        PasswordChangeView.as_view(extra_context={"title": _("Change your password")}),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(extra_context={"title": _("Password changed")}),
        name="password_change_done",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
]
