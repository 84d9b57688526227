"""Message threads (mounted at /): the clinician's per patient and the patient's own."""

from __future__ import annotations

from django.urls import path

from rehab.views import messages as views

urlpatterns = [
    path("clinic/patients/<opaque:pk>/messages/", views.patient_messages, name="patient_messages"),
    path("me/messages/", views.my_messages, name="my_messages"),
]
