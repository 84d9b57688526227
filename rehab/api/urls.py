"""The rehab API's own paths (its viewsets are registered in ``config.api_router``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from rehab.api.views import criteria, logbook, plans

urlpatterns: list[URLPattern] = [
    path("me/plan/", plans.MePlanView.as_view(), name="me-plan"),
    path("me/today/", logbook.MeTodayView.as_view(), name="me-today"),
    path(
        "phases/<opaque:pk>/criteria/", criteria.PhaseCriteriaView.as_view(), name="phase-criteria"
    ),
    path("proposals/", criteria.ProposalsView.as_view(), name="proposals"),
    path("reference-points/", criteria.ReferencePointsView.as_view(), name="reference-points"),
    path("outcomes/", criteria.OutcomesView.as_view(), name="outcomes"),
]
