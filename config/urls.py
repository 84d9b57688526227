from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from clinic.accounts.urls.signin import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    *auth_urlpatterns,
    path("account/mfa/", include("clinic.accounts.urls.mfa")),
    path("", include("clinic.urls")),
    path("", include("rehab.urls")),
    path("", include("audit.urls")),
    path("", include("notify.urls")),
]
