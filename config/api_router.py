"""``/api/v1/``: the REST API assembled from the apps' ``api`` packages, its OpenAPI schema and
its docs page, all under the ``api`` namespace."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import SimpleRouter

from clinic.api import urls as clinic_urls
from clinic.api import views as clinic_views
from core.api.schema import DocsView, SchemaView
from rehab.api import urls as rehab_urls
from rehab.api.views import library, logbook, plans, protocols

app_name = "api"

# Path converters, not regular expressions: each viewset's ``lookup_value_converter`` is
# ``opaque`` (``clinic.api.viewsets.RoleViewSet``), so ``/logs/<opaque id>/`` reaches the view
# with the row's number and ``/logs/17/`` is a 404.
router = SimpleRouter(use_regex_path=False)
router.register("exercises", library.ExerciseViewSet, basename="exercise")
router.register("protocols", protocols.ProtocolViewSet, basename="protocol")
router.register("patients", clinic_views.PatientViewSet, basename="patient")
router.register("plans", plans.PlanViewSet, basename="plan")
router.register("logs", logbook.ExerciseLogViewSet, basename="log")
router.register("checkins", logbook.CheckInViewSet, basename="checkin")
router.register("atrs", logbook.AtrsViewSet, basename="atrs")
router.register("measurements", logbook.MeasurementViewSet, basename="measurement")
router.register("messages", clinic_views.MessageViewSet, basename="message")
router.register("alerts", logbook.AlertViewSet, basename="alert")


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/v1/: a JSON 404, like the API's own."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    *clinic_urls.urlpatterns,
    *rehab_urls.urlpatterns,
    path("", include(router.urls)),
    re_path(r"^", not_found),  # any other path, even one with a newline in it
]
