"""Photos and videos (mounted at /): each streamed after its access check."""

from __future__ import annotations

from django.urls import path

from rehab.views import media as views

urlpatterns = [
    path("files/<uuid:key>/", views.media_file, name="media_file"),
    path("files/<uuid:key>/thumbnail/", views.media_thumbnail, name="media_thumbnail"),
]
