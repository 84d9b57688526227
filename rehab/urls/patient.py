"""The patient's pages, mounted at /me/."""

from __future__ import annotations

from django.urls import path

from rehab.views import patient as views
from rehab.views import progress as progress_views

urlpatterns = [
    path("", views.today, name="today"),
    path("plan/", views.my_plan, name="my_plan"),
    path("progress/", progress_views.progress, name="progress"),
    path("progress/measurements/", progress_views.home_measurement, name="home_measurement"),
    path("check-in/", views.checkin, name="checkin"),
    path("atrs/", views.atrs, name="atrs"),
    path("logs/", views.log_create, name="log_create"),
    path("logs/<opaque:pk>/", views.log_update, name="log_update"),
    path("logs/<opaque:pk>/undo/", views.log_undo, name="log_undo"),
]
