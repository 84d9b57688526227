from __future__ import annotations

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path(
        "clinic/patients/<opaque:pk>/access-history/",
        views.patient_history,
        name="patient_history",
    ),
    path("me/access-history/", views.my_history, name="my_history"),
]
