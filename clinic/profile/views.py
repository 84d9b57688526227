"""The clinic's settings page: its clinic admins only (anyone else: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.access import clinic_admin_required, clinic_for
from clinic.models import User
from clinic.profile import services
from clinic.profile.forms import ClinicSettingsForm
from core.forms import add_service_errors
from core.users import signed_in_user


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    clinic = clinic_for(request.user)
    form = ClinicSettingsForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        try:
            services.clinic_settings_update(
                clinic=clinic_for(request.user),
                changed_by=signed_in_user(request, User),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The clinic's settings are saved."))
            return redirect("clinic:clinic_settings")
    return render(
        request,
        "clinic/settings.html",
        {"form": form, "clinic": clinic_for(request.user)},
        status=400 if form.errors else 200,
    )
