"""The library browser, mounted at /clinic/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rehab.views import library

urlpatterns: list[URLPattern] = [
    path("library/", library.library, name="library"),
    path("library/<int:pk>/", library.library_detail, name="library_detail"),
]
