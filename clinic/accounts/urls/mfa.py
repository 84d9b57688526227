from __future__ import annotations

from django.urls import path

from clinic.accounts.views import mfa

app_name = "mfa"

urlpatterns = [
    path("setup/", mfa.setup, name="setup"),
    path("verify/", mfa.verify, name="verify"),
    path("recovery-codes/", mfa.recovery_codes_new, name="recovery_codes"),
    path("turn-off/", mfa.turn_off, name="turn_off"),
]
