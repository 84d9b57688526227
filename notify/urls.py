"""The notification pages, under the ``notify`` namespace."""

from __future__ import annotations

from django.urls import path

from notify import views

app_name = "notify"

urlpatterns = [
    path("me/reminders/", views.reminders, name="reminders"),
    path("account/notifications/", views.clinician_settings, name="clinician_settings"),
    path("notifications/push/", views.push_subscribe, name="push_subscribe"),
    path("notifications/push/remove/", views.push_unsubscribe, name="push_unsubscribe"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
