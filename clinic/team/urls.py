"""The team pages (clinic admins), mounted at /clinic/team/ in the ``clinic`` namespace."""

from __future__ import annotations

from django.urls import path

from clinic.team import views

urlpatterns = [
    path("", views.team, name="team"),
    path("invite/", views.team_invite, name="team_invite"),
    path("<opaque:pk>/", views.team_member, name="team_member"),
    path("<opaque:pk>/role/", views.team_role, name="team_role"),
    path("<opaque:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("<opaque:pk>/reactivate/", views.team_reactivate, name="team_reactivate"),
    path(
        "<opaque:pk>/two-factor-reset/", views.team_reset_two_factor, name="team_reset_two_factor"
    ),
    path("<opaque:pk>/invite-again/", views.team_invite_again, name="team_invite_again"),
]
