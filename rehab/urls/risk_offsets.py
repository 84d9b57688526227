"""The clinic's risk-factor offsets (a section of its settings), mounted at /clinic/."""

from __future__ import annotations

from django.urls import path

from rehab.views import risk_offsets as views

urlpatterns = [
    path("settings/risk-factors/", views.risk_offsets, name="risk_offsets"),
]
