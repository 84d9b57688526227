"""The clinician's dashboard, patient list and alerts inbox (mounted at /clinic/)."""

from __future__ import annotations

from django.urls import path

from rehab.views import dashboard as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("patients/", views.patient_list, name="patient_list"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<opaque:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
