"""The account pages and the list of browser sessions (in the ``clinic`` namespace)."""

from __future__ import annotations

from django.urls import path

from clinic.accounts.views import account, sessions

urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/sessions/", sessions.sessions, name="sessions"),
    path("account/sessions/end/", sessions.session_end, name="session_end"),
    path(
        "account/sessions/end-others/",
        sessions.session_end_others,
        name="session_end_others",
    ),
]
