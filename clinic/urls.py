from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views

app_name = "clinic"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
]

# Django's auth views reverse un-namespaced names ("login", "password_reset_done", …).
auth_urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
]
