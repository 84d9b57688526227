"""A clinician's own photo or video for one patient's prescription (filmed in the session):
attach it, remove it. Only the patient and their clinic see it (``rehab.access.get_media``)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.access import clinician_required
from clinic.models import User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab.access import get_prescription_for_clinician, get_prescription_media_for_clinician
from rehab.forms.library import MediaUploadForm
from rehab.services import media as media_services
from rehab.views.builder import (
    HtmxHttpRequest,
    builder_page_url,
    plan_for_builder,
    render_builder,
)
from rehab.views.builder.cards import media_form_auto_id, rx_key


@clinician_required
@require_POST
def prescription_media_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Attach the file; a refused one (the form's checks or the service's) is shown again on
    the builder with its attach form open, the reason on the form and the description kept."""
    user = signed_in_user(request, User)
    rx = get_prescription_for_clinician(user, pk)
    form = MediaUploadForm(request.POST, request.FILES, auto_id=media_form_auto_id(rx.pk))
    if form.is_valid():
        try:
            media_services.prescription_media_add(
                prescription=rx, uploaded_by=user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Attached to %(exercise)s: the patient sees it on their Today page.")
                % {"exercise": rx.exercise.name},
            )
            return redirect(builder_page_url(rx.phase.plan_id, anchor=rx_key(rx.pk)))
    # Each reason once, in the form's order (it is on the form too).
    for reason in dict.fromkeys(str(m) for errors in form.errors.values() for m in errors):
        messages.error(request, _("Not attached: %(reason)s") % {"reason": reason})
    plan = plan_for_builder(request, rx.phase.plan_id)
    response = render_builder(request, plan, bound={rx_key(rx.pk, "rxmedia"): form})
    response.status_code = 400
    return response


@clinician_required
@require_POST
def prescription_media_remove(request: HttpRequest, pk: int, key: UUID) -> HttpResponse:
    user = signed_in_user(request, User)
    rx = get_prescription_for_clinician(user, pk)
    media = get_prescription_media_for_clinician(user, key)
    if media.prescription_id != rx.pk:
        raise Http404
    media_services.prescription_media_remove(media=media)
    messages.success(request, _("Removed."))
    return redirect(builder_page_url(rx.phase.plan_id, anchor=rx_key(rx.pk)))
