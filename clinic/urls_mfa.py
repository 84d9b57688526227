from __future__ import annotations

from django.urls import path

from clinic import views_mfa

app_name = "mfa"

urlpatterns = [
    path("setup/", views_mfa.setup, name="setup"),
    path("verify/", views_mfa.verify, name="verify"),
    path("recovery-codes/", views_mfa.recovery_codes_new, name="recovery_codes"),
    path("turn-off/", views_mfa.turn_off, name="turn_off"),
]
