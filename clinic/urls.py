from __future__ import annotations

from django.urls import include, path

from clinic import views
from clinic.profile.views import clinic_settings
from core.ratelimit import rate_limit

app_name = "clinic"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("clinic/patients/new/", views.patient_create, name="patient_create"),
    path("clinic/patients/<opaque:pk>/edit/", views.patient_edit, name="patient_edit"),
    path(
        "clinic/patients/<opaque:pk>/discharge/", views.patient_discharge, name="patient_discharge"
    ),
    path("clinic/patients/<opaque:pk>/archive/", views.patient_archive, name="patient_archive"),
    path(
        "clinic/patients/<opaque:pk>/reactivate/",
        views.patient_reactivate,
        name="patient_reactivate",
    ),
    path("clinic/patients/<opaque:pk>/invite/", views.patient_invite, name="patient_invite"),
    path("clinic/team/", include("clinic.team.urls")),
    path("clinic/settings/", clinic_settings, name="clinic_settings"),
    path("", include("clinic.accounts.urls.account")),
    path(
        "invite/<str:token>/",
        rate_limit("invitation")(views.invitation_accept),
        name="invitation_accept",
    ),
]
