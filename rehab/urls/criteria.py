"""Exit criteria of plan phases, mounted at /clinic/."""

from __future__ import annotations

from django.urls import path

from rehab.views import criteria as views

urlpatterns = [
    path("phases/<opaque:pk>/criteria/", views.criterion_add, name="criterion_add"),
    path("criteria/<opaque:pk>/remove/", views.criterion_remove, name="criterion_remove"),
    path("criteria/<opaque:pk>/judge/", views.criterion_judge, name="criterion_judge"),
    path("phases/<opaque:pk>/dismiss-proposal/", views.proposal_dismiss, name="proposal_dismiss"),
]
