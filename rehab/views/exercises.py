"""A clinic's own exercises: create, edit, archive, "copy and adapt", photos and videos, and
their history (the clinic's admins). Clinicians only; another clinic's exercise is a 404.

Each view: access-checked fetch → form → one service → redirect (or the form again).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinic_admin_required, clinic_for, clinician_required
from clinic.models import User
from core.forms import add_service_errors, message_service_errors
from core.users import signed_in_user
from rehab.access import exercises_for, get_exercise, get_media, get_own_exercise_for_clinician
from rehab.forms.library import ClinicExerciseForm, MediaUploadForm
from rehab.models.library import ExerciseMedia
from rehab.selectors import history as history_selectors
from rehab.services import library as library_services
from rehab.services import media as media_services
from rehab.views import library as library_views

FORM = "rehab/library/exercise_form.html"


@clinician_required
@require_http_methods(["GET", "POST"])
def exercise_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request, User)
    form = ClinicExerciseForm(request.POST or None, exercises=exercises_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            exercise = library_services.clinic_exercise_create(
                clinic=clinic_for(user), created_by=user, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is in your clinic's library.") % {"name": exercise.name}
            )
            return redirect("rehab:library_detail", pk=exercise.pk)
    return render(request, FORM, {"form": form, "exercise": None})


@clinician_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request, User)
    exercise = get_own_exercise_for_clinician(user, pk)
    form = ClinicExerciseForm(
        request.POST or None, instance=exercise, exercises=exercises_for(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            library_services.clinic_exercise_update(exercise=exercise, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The exercise has been saved."))
            return redirect("rehab:library_detail", pk=exercise.pk)
    if form.errors:
        exercise.refresh_from_db()
    return render(request, FORM, {"form": form, "exercise": exercise})


def _archive(request: HttpRequest, pk: int, *, archived: bool) -> HttpResponse:
    exercise = get_own_exercise_for_clinician(signed_in_user(request, User), pk)
    library_services.clinic_exercise_archive(exercise=exercise, archived=archived)
    done = (
        _("%(name)s is archived: it is no longer offered for new plans.")
        if archived
        else _("%(name)s is offered for new plans again.")
    )
    messages.success(request, done % {"name": exercise.name})
    return redirect("rehab:library_detail", pk=exercise.pk)


@clinician_required
@require_POST
def exercise_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive(request, pk, archived=True)


@clinician_required
@require_POST
def exercise_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive(request, pk, archived=False)


@clinician_required
@require_POST
def exercise_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Copy and adapt" a shared exercise (or one of the clinic's): then edit the copy."""
    user = signed_in_user(request, User)
    original = get_exercise(user, pk)
    try:
        copy = library_services.exercise_copy(
            exercise=original, clinic=clinic_for(user), created_by=user
        )
    except ValidationError as error:  # e.g. a name too long for "(copy 2)"
        message_service_errors(request, error)
        return redirect("rehab:library_detail", pk=original.pk)
    messages.success(request, _("This is your clinic's copy: adapt it and save."))
    return redirect("rehab:exercise_edit", pk=copy.pk)


@clinician_required
@require_POST
def exercise_media_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request, User)
    exercise = get_own_exercise_for_clinician(user, pk)
    form = MediaUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            media_services.exercise_media_add(
                exercise=exercise, uploaded_by=user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added to %(name)s.") % {"name": exercise.name})
            return redirect("rehab:library_detail", pk=exercise.pk)
    return library_views.detail_page(request, exercise, media_form=form, status=400)


@clinician_required
@require_POST
def exercise_media_remove(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    user = signed_in_user(request, User)
    exercise = get_own_exercise_for_clinician(user, pk)
    media = get_media(user, key)
    if not isinstance(media, ExerciseMedia) or media.exercise_id != exercise.pk:
        raise Http404
    media_services.exercise_media_remove(media=media)
    messages.success(request, _("Removed."))
    return redirect("rehab:library_detail", pk=exercise.pk)


@clinic_admin_required
@require_GET
def exercise_history(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_own_exercise_for_clinician(signed_in_user(request, User), pk)
    return render(
        request,
        "rehab/library/history.html",
        {
            "title": exercise.name,
            "back_url": "rehab:library_detail",
            "back_pk": exercise.pk,
            "changes": history_selectors.exercise_changes(exercise),
        },
    )
