from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from clinic.accounts.urls.signin import auth_urlpatterns

# A database outage answers 503 with Retry-After (JSON under /api/); see core/errors.py.
handler500 = "core.errors.server_error"

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
