"""The team pages (clinic admins), mounted at /clinic/team/ in the ``clinic`` namespace."""

from __future__ import annotations

from django.urls import path

from clinic.team import views

urlpatterns = [
    path("", views.team, name="team"),
    path("invite/", views.team_invite, name="team_invite"),
    path("<int:pk>/", views.team_member, name="team_member"),
    path("<int:pk>/role/", views.team_role, name="team_role"),
    path("<int:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("<int:pk>/reactivate/", views.team_reactivate, name="team_reactivate"),
    path("<int:pk>/two-factor-reset/", views.team_reset_two_factor, name="team_reset_two_factor"),
    path("<int:pk>/invite-again/", views.team_invite_again, name="team_invite_again"),
]
