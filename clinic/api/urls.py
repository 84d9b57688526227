"""The clinic API's own paths (its viewsets are registered in ``config.api_router``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from clinic.api import auth

urlpatterns: list[URLPattern] = [
    path("auth/login/", auth.LoginView.as_view(), name="login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/logoutall/", auth.LogoutAllView.as_view(), name="logoutall"),
    path("auth/devices/", auth.DeviceListView.as_view(), name="devices"),
    path("auth/devices/<str:token_key>/", auth.DeviceDetailView.as_view(), name="device"),
    path("me/", auth.MeView.as_view(), name="me"),
]
