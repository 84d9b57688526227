"""``/api/v1/``: the REST API, its OpenAPI schema and its docs page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from rehab.api import auth, views
from rehab.api.schema import DocsView

app_name = "api"

router = SimpleRouter()
router.register("exercises", views.ExerciseViewSet, basename="exercise")
router.register("protocols", views.ProtocolViewSet, basename="protocol")
router.register("patients", views.PatientViewSet, basename="patient")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("logs", views.ExerciseLogViewSet, basename="log")
router.register("checkins", views.CheckInViewSet, basename="checkin")
router.register("atrs", views.AtrsViewSet, basename="atrs")
router.register("measurements", views.MeasurementViewSet, basename="measurement")
router.register("messages", views.MessageViewSet, basename="message")
router.register("alerts", views.AlertViewSet, basename="alert")


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/v1/: a JSON 404, like the API's own."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("auth/login/", auth.LoginView.as_view(), name="login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/logoutall/", auth.LogoutAllView.as_view(), name="logoutall"),
    path("auth/devices/", auth.DeviceListView.as_view(), name="devices"),
    path("auth/devices/<str:token_key>/", auth.DeviceDetailView.as_view(), name="device"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("me/plan/", views.MePlanView.as_view(), name="me-plan"),
    path("me/today/", views.MeTodayView.as_view(), name="me-today"),
    path("", include(router.urls)),
    re_path(r"^", not_found),  # any other path, even one with a newline in it
]
