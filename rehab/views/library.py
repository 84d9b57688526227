"""The library browser: the clinic's and the shared exercises, and one exercise's page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.access import clinician_of, clinician_required
from clinic.models import User
from core.users import signed_in_user
from rehab.access import (
    exercises_for,
    get_exercise,
)
from rehab.forms.library import LibraryFilterForm, MediaUploadForm
from rehab.models.library import Equipment, Exercise
from rehab.selectors import builder as builder_selectors
from rehab.selectors import library as library_selectors
from rehab.views.builder import LIBRARY_PAGE_SIZE


@clinician_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(
        request.GET, auto_id="library-%s", equipment=list(Equipment.objects.order_by("name"))
    )
    exercises = library_selectors.library_search(
        exercises_for(signed_in_user(request, User)), **form.values()
    )
    page = Paginator(exercises, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(exercise, builder_selectors.default_dose_text(exercise)) for exercise in page]
    query = urlencode({k: v for k, v in form.values().items() if v})
    return render(
        request,
        "rehab/builder/library.html",
        {
            "title": _("Exercise library"),
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
        },
    )


@clinician_required
@require_GET
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_exercise(signed_in_user(request, User), pk)
    return detail_page(request, exercise)


def detail_page(
    request: HttpRequest,
    exercise: Exercise,
    *,
    media_form: MediaUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """An exercise's page; for the clinic's own, with its photo and video form."""
    user = signed_in_user(request, User)
    clinician = clinician_of(user)
    own = clinician is not None and exercise.clinic_id == clinician.clinic_id
    return render(
        request,
        "rehab/builder/library_detail.html",
        {
            "exercise": exercise,
            "own": own,
            "is_clinic_admin": clinician is not None and clinician.is_clinic_admin,
            "equipment": list(exercise.equipment.all()),
            "media": list(exercise.media.all()),
            "media_form": (media_form or MediaUploadForm(auto_id="media-%s")) if own else None,
            "dose_text": builder_selectors.default_dose_text(exercise),
            "progresses_to": (
                exercises_for(user).filter(pk=exercise.progresses_to_id).first()
                if exercise.progresses_to_id
                else None
            ),
        },
        status=status,
    )
