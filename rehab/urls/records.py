"""A patient's whole record: export (the patient's own, the clinic admin's) and erasure."""

from __future__ import annotations

from django.urls import path

from rehab.views import records as views

urlpatterns = [
    path("me/export.json", views.my_export_json, name="my_export_json"),
    path("me/export/", views.my_export, name="my_export"),
    path(
        "clinic/patients/<opaque:pk>/export.json",
        views.patient_export_json,
        name="patient_export_json",
    ),
    path("clinic/patients/<opaque:pk>/export/", views.patient_export_page, name="patient_export"),
    path("clinic/patients/<opaque:pk>/erase/", views.patient_erase, name="patient_erase"),
]
