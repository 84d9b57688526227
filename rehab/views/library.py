"""The library browser: the clinic's and the shared exercises, and one exercise's page; and
the plan builder's library panel (its results)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.access import clinician_of, clinician_required
from clinic.models import User
from core.users import signed_in_user
from rehab import guardrails
from rehab.access import (
    exercises_for,
    get_exercise,
)
from rehab.forms.builder import BuilderLibraryForm, PrescriptionAddForm
from rehab.forms.library import LibraryFilterForm, MediaUploadForm
from rehab.models.library import Equipment, Exercise, ExerciseMedia
from rehab.models.plans import Plan, PlanPhase
from rehab.selectors import builder as builder_selectors
from rehab.selectors import library as library_selectors

LIBRARY_PAGE_SIZE = 50
PANEL_RESULTS_MAX = 25


@dataclass
class LibraryResult:
    exercise: Exercise
    earliest_week: int
    dose_text: str
    # Not safe at the patient's week in the target phase: the guardrail, with its reason.
    warning: guardrails.GuardrailWarning | None = None
    # Its first photo (or a video's poster), shown small beside its name.
    picture: ExerciseMedia | None = None


def panel_results(
    request: HttpRequest,
    plan: Plan,
    *,
    search: dict[str, str],
    phases: list[PlanPhase],
    target: PlanPhase | None,
) -> list[LibraryResult] | None:
    """The builder's library panel: its results (at most ``PANEL_RESULTS_MAX``), or None
    before anything is searched for. Their add forms share ``add_search_fields``."""
    if not (search["q"] or search["category"] or search["equipment"] or search["safe"]):
        return None
    exercises = library_selectors.library_search(
        exercises_for(signed_in_user(request, User)).filter(is_published=True),
        q=search["q"],
        category=search["category"],
        equipment=search["equipment"],
    ).prefetch_related("media")
    results = []
    # The guardrail is the patient's (guardrails.earliest_safe_week), so "safe now" is
    # filtered here; the library is small and its rows are read in one query.
    # The week the patient will be in when the target phase starts for them: the same for each.
    week = guardrails.patient_week_for_phase(target, phases=phases) if target else None
    for exercise in exercises:
        warning = (
            guardrails.guardrail_warning(exercise=exercise, phase=target, week=week)
            if target
            else None
        )
        if search["safe"] and warning is not None:
            continue
        results.append(
            LibraryResult(
                exercise=exercise,
                earliest_week=guardrails.earliest_safe_week(exercise, plan.patient),
                dose_text=builder_selectors.default_dose_text(exercise),
                warning=warning,
                picture=next(
                    (m for m in exercise.media.all() if not m.is_video or m.thumbnail), None
                ),
            )
        )
        if len(results) >= PANEL_RESULTS_MAX:
            break
    return results


def add_search_fields(search: dict[str, str], *, phases: list[PlanPhase]) -> SafeString:
    """The hidden fields of the panel's add forms that keep the library search across the
    submit (``PrescriptionAddForm``'s q, category, equipment, safe and to), rendered once for
    every result's form: the same for each, and a widget rendered through its template per
    result cost more than the rest of the panel (five a result, up to 25 results)."""
    form = PrescriptionAddForm(
        auto_id=False, initial=search, exercises=Exercise.objects.none(), phases=phases
    )
    # Each field is rendered (escaped) by its widget's template.
    return mark_safe("".join(str(form[name]) for name in BuilderLibraryForm.FIELDS))  # noqa: S308


@clinician_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(
        request.GET, auto_id="library-%s", equipment=list(Equipment.objects.order_by("name"))
    )
    exercises = library_selectors.library_rows(
        exercises_for(signed_in_user(request, User)), **form.values()
    )
    page = Paginator(exercises, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    # Each category's name looked up once: ``get_category_display`` per row translated every
    # category's name again (a tenth of the page).
    categories = dict(Exercise.Category.choices)
    rows = [
        (
            exercise,
            categories.get(exercise.category, exercise.category),
            builder_selectors.default_dose_text(exercise),
        )
        for exercise in page
    ]
    return render(
        request,
        "rehab/builder/library.html",
        {
            "title": _("Exercise library"),
            "form": form,
            "page": page,
            "rows": rows,
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
