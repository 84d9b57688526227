from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views, views_account, views_sessions
from core.ratelimit import rate_limit

app_name = "clinic"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("clinic/patients/new/", views.patient_create, name="patient_create"),
    path("clinic/patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("clinic/patients/<int:pk>/discharge/", views.patient_discharge, name="patient_discharge"),
    path("clinic/patients/<int:pk>/archive/", views.patient_archive, name="patient_archive"),
    path(
        "clinic/patients/<int:pk>/reactivate/",
        views.patient_reactivate,
        name="patient_reactivate",
    ),
    path("clinic/patients/<int:pk>/invite/", views.patient_invite, name="patient_invite"),
    path("account/", views_account.account, name="account"),
    path("account/sessions/", views_sessions.sessions, name="sessions"),
    path("account/sessions/end/", views_sessions.session_end, name="session_end"),
    path(
        "account/sessions/end-others/",
        views_sessions.session_end_others,
        name="session_end_others",
    ),
    path(
        "invite/<str:token>/",
        rate_limit("invitation")(views.invitation_accept),
        name="invitation_accept",
    ),
]

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
