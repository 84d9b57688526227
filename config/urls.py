from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from clinic.urls import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("rehab.api.urls")),
    *auth_urlpatterns,
    path("account/mfa/", include("clinic.urls_mfa")),
    path("", include("clinic.urls")),
    path("", include("rehab.urls")),
    path("", include("audit.urls")),
]
