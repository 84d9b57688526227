"""The rehab pages, one URL module per area, all under the ``rehab`` namespace."""

from __future__ import annotations

from django.urls import include, path

app_name = "rehab"

urlpatterns = [
    path("clinic/", include("rehab.urls.dashboard")),
    path("clinic/", include("rehab.urls.builder")),
    path("clinic/", include("rehab.urls.library")),
    path("clinic/", include("rehab.urls.templates")),
    path("clinic/", include("rehab.urls.patient_page")),
    path("clinic/", include("rehab.urls.criteria")),
    path("clinic/", include("rehab.urls.outcomes")),
    path("clinic/", include("rehab.urls.risk_offsets")),
    path("me/", include("rehab.urls.patient")),
    path("", include("rehab.urls.messages")),
    path("", include("rehab.urls.records")),
    path("", include("rehab.urls.media")),
]
