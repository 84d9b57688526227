"""The clinic's outcomes, mounted at /clinic/."""

from __future__ import annotations

from django.urls import path

from rehab.views import outcomes as views

urlpatterns = [
    path("outcomes/", views.clinic_outcomes, name="clinic_outcomes"),
    path("outcomes.csv", views.clinic_outcomes_csv, name="clinic_outcomes_csv"),
]
