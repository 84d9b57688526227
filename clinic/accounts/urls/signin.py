"""Sign-in and password reset: Django's auth views, under their un-namespaced names."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.ratelimit import rate_limit

# Django's auth views reverse un-namespaced names ("login", "password_reset_done", …).
auth_urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        rate_limit("password_reset")(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
]
