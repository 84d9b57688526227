"""The plan builder's page and what its views share. Clinicians only.

A plan's life (create, rename, activate, change phase, handout) is in ``rehab.views.plans``; its
phases and exercises are edited in ``rehab.views.phases``.

Each view fetches through an access helper (404 outside the clinic), validates a form and calls
one service. Edits answer an htmx request with the builder's body (the partial
``builder.html#builder_body``), and an ordinary POST with a redirect back to the builder, so the
page works without JavaScript too. A form with errors is shown again on the builder, in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from clinic.access import clinician_required
from clinic.models import User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab.access import (
    exercises_for,
    get_plan_for_clinician,
)
from rehab.forms.builder import (
    DoseForm,
    PhaseForm,
    PlanRenameForm,
    PrescriptionAddForm,
    PrescriptionMovePhaseForm,
)
from rehab.forms.library import LibrarySearchForm, MediaUploadForm
from rehab.models.library import Exercise
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.selectors import builder as builder_selectors
from rehab.selectors import library as library_selectors

BUILDER = "rehab/builder/builder.html"
LIBRARY_RESULTS_MAX = 25
LIBRARY_PAGE_SIZE = 50
NEW_PHASE_WEEKS = 4


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --- The builder page -----------------------------------------------------------------------


@dataclass
class ItemView:
    """A live prescription with its forms (dose and note; move to another phase)."""

    item: builder_selectors.BuilderItem
    dose_form: forms.BaseForm | None = None  # a DoseForm
    move_form: forms.BaseForm | None = None  # a PrescriptionMovePhaseForm
    media_form: forms.BaseForm | None = None  # a MediaUploadForm (the patient's own video)

    @property
    def rx(self) -> Prescription:
        return self.item.prescription

    @property
    def dose_key(self) -> str:
        """The dose form's prefix, its "edit" key and the exercise's anchor on the page."""
        return f"rx-{self.rx.pk}"

    @property
    def move_key(self) -> str:
        return f"rxmove-{self.rx.pk}"

    @property
    def media_key(self) -> str:
        return f"rxmedia-{self.rx.pk}"


@dataclass
class PhaseView:
    phase: PlanPhase
    builder_phase: builder_selectors.BuilderPhase
    form: forms.BaseForm | None  # a PhaseForm
    items: list[ItemView] = field(default_factory=list)
    is_current: bool = False

    @property
    def key(self) -> str:
        """The phase form's prefix, its "edit" key and the phase's anchor on the page."""
        return f"phase-{self.phase.pk}"


@dataclass
class LibraryResult:
    exercise: Exercise
    earliest_week: int
    dose_text: str
    form: PrescriptionAddForm | None


def _search_from(request: HtmxHttpRequest) -> dict[str, str]:
    """The builder's library search: from the query string, or for an htmx request, from the
    page the clinician is on (so an edit does not clear their search)."""
    params: Any = request.GET
    if request.htmx and request.method == "POST" and request.htmx.current_url:
        params = {k: v[-1] for k, v in parse_qs(urlsplit(request.htmx.current_url).query).items()}
    return LibrarySearchForm(params, auto_id="library-%s").values()


def _builder_context(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    search: dict[str, str] | None = None,
    editing: str = "",
) -> dict[str, Any]:
    """The builder's context. A phase's or an exercise's edit form is built only for the one
    being edited (``editing``: "phase-<pk>", "rx-<pk>", "rxmove-<pk>" or "rxmedia-<pk>", from
    its link)
    or shown again with its errors (``bound``); the others have a link, not a form each."""
    bound = bound or {}

    def wanted(key: str) -> bool:
        return editable and (key in bound or key == editing)

    search = search if search is not None else _search_from(request)
    editable = plan.status != Plan.Status.COMPLETED
    builder = builder_selectors.plan_builder(plan)
    phases = builder.phase_list
    evidence = builder_selectors.progression_evidence(plan, phases=phases)
    version = {"version": plan.version}

    phase_views = []
    for builder_phase in builder.phases:
        phase = builder_phase.phase
        key = f"phase-{phase.pk}"
        view = PhaseView(
            phase=phase,
            builder_phase=builder_phase,
            form=None,
            is_current=phase.pk == plan.current_phase_id,
        )
        if wanted(key):
            view.form = bound.get(key) or PhaseForm(
                instance=phase,
                prefix=key,
                initial=version,
                plan=plan,
                prescriptions=[item.prescription for item in builder_phase.items],
            )
        for item in builder_phase.items:
            rx = item.prescription
            item_view = ItemView(item=item)
            if wanted(f"rx-{rx.pk}"):
                item_view.dose_form = bound.get(f"rx-{rx.pk}") or DoseForm(
                    instance=rx, prefix=f"rx-{rx.pk}", initial=version, warning=item.warning
                )
            if wanted(item_view.media_key):
                item_view.media_form = MediaUploadForm(auto_id=f"rx-{rx.pk}-media-%s")
            if wanted(f"rxmove-{rx.pk}"):
                item_view.move_form = bound.get(f"rxmove-{rx.pk}") or PrescriptionMovePhaseForm(
                    prefix=f"rxmove-{rx.pk}",
                    initial={**version, "phase": phase.pk},
                    phases=phases,
                )
            view.items.append(item_view)
        phase_views.append(view)

    default_phase = plan.current_phase_id or (phases[0].pk if phases else None)
    results: list[LibraryResult] | None = None
    if search["q"] or search["category"]:
        exercises = library_selectors.library_search(
            exercises_for(signed_in_user(request, User)).filter(is_published=True), **search
        )
        results = [
            LibraryResult(
                exercise=exercise,
                earliest_week=exercise.earliest_week_for(plan.pathway),
                dose_text=builder_selectors.default_dose_text(exercise),
                form=PrescriptionAddForm(
                    auto_id=f"add-{exercise.pk}-%s",
                    initial={**version, **search, "exercise": exercise.pk, "phase": default_phase},
                    exercises=Exercise.objects.none(),
                    phases=phases,
                )
                if editable and phases
                else None,
            )
            for exercise in exercises[:LIBRARY_RESULTS_MAX]
        ]

    last_end = max((p.end_week for p in phases), default=0)
    new_phase_form = bound.get("new-phase") or PhaseForm(
        prefix="new-phase",
        instance=PlanPhase(plan=plan),
        initial={**version, "start_week": last_end, "end_week": last_end + NEW_PHASE_WEEKS},
        plan=plan,
    )
    builder_url = _builder_url(plan.pk, search=search)
    return {
        "plan": plan,
        "patient": plan.patient,
        "editable": editable,
        "builder_url": builder_url,
        "edit_url": builder_url + ("&" if "?" in builder_url else "?") + "edit=",
        "builder": builder,
        "phase_views": phase_views,
        "evidence": evidence,
        "rename_form": bound.get("rename")
        or PlanRenameForm(prefix="rename", initial={**version, "name": plan.name}),
        "new_phase_form": new_phase_form,
        "pending_add": bound.get("add"),
        "search_form": LibrarySearchForm(initial=search, auto_id="library-%s"),
        "search": search,
        "results": results,
        "results_max": LIBRARY_RESULTS_MAX,
    }


def _render_builder(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    search: dict[str, str] | None = None,
    editing: str = "",
) -> HttpResponse:
    template = BUILDER
    if request.htmx:
        partial = "library_results" if request.htmx.target == "library-results" else "body"
        template = f"{BUILDER}#builder_{partial}"
    context = _builder_context(request, plan, bound=bound, search=search, editing=editing)
    return render(request, template, context)


def _builder_url(plan_pk: int, *, anchor: str = "", search: dict[str, str] | None = None) -> str:
    url = reverse("rehab:plan_builder", args=[plan_pk])
    query = {k: v for k, v in (search or {}).items() if v}
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


def _after_edit(
    request: HtmxHttpRequest,
    plan_pk: int,
    *,
    success: str = "",
    anchor: str = "",
    search: dict[str, str] | None = None,
) -> HttpResponse:
    """Done (or refused with a message): the fresh builder for htmx, else a redirect to it."""
    if success:
        messages.success(request, success)
    if request.htmx:
        plan = get_plan_for_clinician(signed_in_user(request, User), plan_pk)
        return _render_builder(request, plan, search=search)
    return redirect(_builder_url(plan_pk, anchor=anchor, search=search))


def _show_form_again(
    request: HtmxHttpRequest,
    plan_pk: int,
    form: forms.BaseForm,
    key: str,
    *,
    search: dict[str, str] | None = None,
) -> HttpResponse:
    """The builder with ``form`` shown with its errors, where it was. Nothing was saved.

    A missing or stale version is not the clinician's typing error: the page is simply out of
    date, so it is shown afresh with the message instead.
    """
    if "version" in form.errors:
        for message in form.errors["version"]:
            messages.error(request, str(message))
        return _after_edit(request, plan_pk, search=search)
    plan = get_plan_for_clinician(
        signed_in_user(request, User), plan_pk
    )  # fresh: the failed edit rolled back
    return _render_builder(request, plan, bound={key: form}, search=search)


def _edit(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    form: forms.BaseForm,
    key: str = "",
    action: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    anchor: str = "",
    search: dict[str, str] | None = None,
) -> HttpResponse:
    """Validate ``form``, call the service in ``action``, and answer.

    With a ``key`` the form is shown again with its errors; without one (buttons) errors
    become messages at the top of the builder.
    """
    if not form.is_valid():
        if key:
            return _show_form_again(request, plan.pk, form, key, search=search)
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _after_edit(request, plan.pk, anchor=anchor, search=search)
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        if key and getattr(error, "code", None) != "stale_plan":
            add_service_errors(form, error)
            return _show_form_again(request, plan.pk, form, key, search=search)
        for message in error.messages:
            messages.error(request, message)
        return _after_edit(request, plan.pk, anchor=anchor, search=search)
    message = success(result) if callable(success) else success
    return _after_edit(request, plan.pk, success=message, anchor=anchor, search=search)


@clinician_required
@require_GET
def plan_builder(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    return _render_builder(request, plan, editing=request.GET.get("edit", ""))
