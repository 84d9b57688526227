"""The clinician's page for one patient, mounted at /clinic/."""

from __future__ import annotations

from django.urls import path

from rehab.views import patient_page as views

urlpatterns = [
    path("patients/<opaque:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<opaque:pk>/atrs-request/", views.atrs_request, name="atrs_request"),
    path("patients/<opaque:pk>/measurements/", views.measurement_create, name="measurement_create"),
    path("patients/<opaque:pk>/risk/", views.risk_update, name="risk_update"),
    path("patients/<opaque:pk>/resume/", views.plan_resume, name="plan_resume"),
]
