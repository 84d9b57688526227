"""The plan builder: create a plan, edit its phases and exercises, activate it, move it from
phase to phase, print a handout; and the library browser. Clinicians only.

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
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from clinic.access import clinician_required, get_patient_for_clinician
from clinic.models import User
from core.forms import add_service_errors
from core.redirects import is_safe_redirect
from core.users import signed_in_user
from rehab import guardrails
from rehab.access import (
    exercises_for,
    get_exercise,
    get_phase_for_clinician,
    get_plan_for_clinician,
    get_prescription_for_clinician,
    protocols_for,
)
from rehab.forms.builder import (
    DirectionForm,
    DoseForm,
    PhaseForm,
    PlanCreateForm,
    PlanRenameForm,
    PrescriptionAddForm,
    PrescriptionMovePhaseForm,
    VersionForm,
)
from rehab.forms.library import LibraryFilterForm, LibrarySearchForm
from rehab.models.library import Equipment, Exercise
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.selectors import builder as builder_selectors
from rehab.selectors import library as library_selectors
from rehab.services import builder as builder_services
from rehab.services import plans as plan_services

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

    @property
    def rx(self) -> Prescription:
        return self.item.prescription


@dataclass
class PhaseView:
    phase: PlanPhase
    builder_phase: builder_selectors.BuilderPhase
    form: forms.BaseForm | None  # a PhaseForm
    items: list[ItemView] = field(default_factory=list)
    is_current: bool = False


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
) -> dict[str, Any]:
    bound = bound or {}
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
        if editable:
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
            if editable:
                item_view.dose_form = bound.get(f"rx-{rx.pk}") or DoseForm(
                    instance=rx, prefix=f"rx-{rx.pk}", initial=version, warning=item.warning
                )
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
            exercises_for(signed_in_user(request, User)), **search
        )
        results = [
            LibraryResult(
                exercise=exercise,
                earliest_week=exercise.earliest_week_for(plan.pathway),
                dose_text=library_selectors.default_dose_text(exercise),
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
    return {
        "plan": plan,
        "patient": plan.patient,
        "editable": editable,
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
) -> HttpResponse:
    template = BUILDER
    if request.htmx:
        partial = "library_results" if request.htmx.target == "library-results" else "body"
        template = f"{BUILDER}#builder_{partial}"
    return render(request, template, _builder_context(request, plan, bound=bound, search=search))


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
@require_http_methods(["GET", "POST"])
def plan_create(request: HtmxHttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_patient_for_clinician(signed_in_user(request, User), patient_pk)
    protocols = (
        protocols_for(signed_in_user(request, User))
        .filter(pathway=patient.pathway)
        .order_by("name", "version")
    )
    form = PlanCreateForm(
        request.POST or None,
        protocols=protocols,
        initial={"template": protocols.first() or ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_create(
                patient=patient,
                protocol=form.cleaned_data["template"],
                created_by=signed_in_user(request, User),
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Draft plan created. Adjust it, then activate it for the patient.")
            )
            return redirect("rehab:plan_builder", pk=plan.pk)
    return render(
        request,
        "rehab/builder/plan_create.html",
        {"patient": patient, "form": form, "protocols": protocols},
    )


@clinician_required
@require_GET
def plan_builder(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    return _render_builder(request, plan)


@clinician_required
@require_POST
def plan_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    form = PlanRenameForm(request.POST, prefix="rename")
    return _edit(
        request,
        plan,
        form=form,
        key="rename",
        action=lambda data: builder_services.plan_rename(
            plan=plan, name=data["name"], expected_version=data["version"]
        ),
        success=_("Plan renamed."),
    )


@clinician_required
@require_POST
def plan_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    return _edit(
        request,
        plan,
        form=VersionForm(request.POST),
        action=lambda data: plan_services.plan_activate(
            plan=plan, activated_by=signed_in_user(request, User), expected_version=data["version"]
        ),
        success=_("Plan activated: the patient sees it from today."),
    )


def _phase_change(request: HtmxHttpRequest, pk: int, *, forward: bool) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    form = VersionForm(request.POST)
    change = plan_services.plan_advance_phase if forward else plan_services.plan_previous_phase
    if form.is_valid():
        try:
            plan = change(
                plan=plan,
                changed_by=signed_in_user(request, User),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            phase = plan.current_phase
            messages.success(
                request,
                _("The plan is now in %(phase)s; the patient sees its exercises from today.")
                % {"phase": phase.name if phase else ""},
            )
    else:
        messages.error(request, _("This page is out of date; reload it and try again."))
    next_url = request.POST.get("next", "")
    if is_safe_redirect(request, next_url):
        return redirect(next_url)
    return redirect(_builder_url(pk, anchor="progression"))


@clinician_required
@require_POST
def plan_advance(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _phase_change(request, pk, forward=True)


@clinician_required
@require_POST
def plan_back(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _phase_change(request, pk, forward=False)


@clinician_required
@require_POST
def phase_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    form = PhaseForm(request.POST, prefix="new-phase", instance=PlanPhase(plan=plan), plan=plan)
    return _edit(
        request,
        plan,
        form=form,
        key="new-phase",
        action=lambda data: builder_services.phase_add(
            plan=plan, **form.phase_values(), expected_version=data["version"]
        ),
        success=_("Phase added."),
    )


@clinician_required
@require_POST
def phase_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    phase = get_phase_for_clinician(signed_in_user(request, User), pk)
    plan = phase.plan
    key = f"phase-{phase.pk}"
    live = list(phase.prescriptions.filter(retired_at__isnull=True).select_related("exercise"))
    form = PhaseForm(request.POST, prefix=key, instance=phase, plan=plan, prescriptions=live)
    return _edit(
        request,
        plan,
        form=form,
        key=key,
        action=lambda data: builder_services.phase_update(
            phase=phase,
            **form.phase_values(),
            guardrail_reasons=form.guardrail_reasons(),
            expected_version=data["version"],
        ),
        success=_("Phase saved."),
        anchor=key,
    )


@clinician_required
@require_POST
def phase_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    phase = get_phase_for_clinician(signed_in_user(request, User), pk)
    return _edit(
        request,
        phase.plan,
        form=VersionForm(request.POST),
        action=lambda data: builder_services.phase_remove(
            phase=phase, expected_version=data["version"]
        ),
        success=_("Phase removed."),
    )


@clinician_required
@require_POST
def phase_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    phase = get_phase_for_clinician(signed_in_user(request, User), pk)
    return _edit(
        request,
        phase.plan,
        form=DirectionForm(request.POST),
        action=lambda data: builder_services.phase_move(
            phase=phase, direction=data["direction"], expected_version=data["version"]
        ),
        success=_("Phase moved."),
        anchor=f"phase-{phase.pk}",
    )


@clinician_required
@require_POST
def prescription_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    phases = list(plan.phases.order_by("order", "pk"))
    for phase in phases:
        phase.plan = plan
    form = PrescriptionAddForm(
        request.POST,
        auto_id="add-%s",
        exercises=exercises_for(signed_in_user(request, User)),
        phases=phases,
    )
    search = {
        "q": request.POST.get("q", "")[:100],
        "category": request.POST.get("category", "")[:20],
    }
    return _edit(
        request,
        plan,
        form=form,
        key="add",
        action=lambda data: builder_services.prescription_add(
            phase=data["phase"],
            exercise=data["exercise"],
            guardrail_reason=data["guardrail_reason"],
            expected_version=data["version"],
        ),
        success=_("Exercise added."),
        anchor="library",
        search=search,
    )


@clinician_required
@require_POST
def prescription_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_clinician(signed_in_user(request, User), pk)
    plan = rx.phase.plan
    key = f"rx-{rx.pk}"
    warning = guardrails.guardrail_warning(exercise=rx.exercise, phase=rx.phase)
    form = DoseForm(request.POST, prefix=key, instance=rx, warning=warning)
    return _edit(
        request,
        plan,
        form=form,
        key=key,
        action=lambda data: builder_services.prescription_update(
            prescription=rx, **form.dose_values(), expected_version=data["version"]
        ),
        success=_("Dose saved."),
        anchor=key,
    )


@clinician_required
@require_POST
def prescription_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_clinician(signed_in_user(request, User), pk)
    return _edit(
        request,
        rx.phase.plan,
        form=VersionForm(request.POST),
        action=lambda data: builder_services.prescription_remove(
            prescription=rx, expected_version=data["version"]
        ),
        success=lambda deleted: (
            _("Exercise removed.")
            if deleted
            else _("Exercise retired: the patient no longer sees it; their logs are kept.")
        ),
        anchor=f"phase-{rx.phase_id}",
    )


@clinician_required
@require_POST
def prescription_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_clinician(signed_in_user(request, User), pk)
    return _edit(
        request,
        rx.phase.plan,
        form=DirectionForm(request.POST),
        action=lambda data: builder_services.prescription_move(
            prescription=rx, direction=data["direction"], expected_version=data["version"]
        ),
        success=_("Exercise moved."),
        anchor=f"rx-{rx.pk}",
    )


@clinician_required
@require_POST
def prescription_move_phase(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_clinician(signed_in_user(request, User), pk)
    plan = rx.phase.plan
    phases = list(plan.phases.order_by("order", "pk"))
    for phase in phases:
        phase.plan = plan
    key = f"rxmove-{rx.pk}"
    form = PrescriptionMovePhaseForm(request.POST, prefix=key, phases=phases)
    return _edit(
        request,
        plan,
        form=form,
        key=key,
        action=lambda data: builder_services.prescription_move_to_phase(
            prescription=rx,
            phase=data["phase"],
            guardrail_reason=data["guardrail_reason"],
            expected_version=data["version"],
        ),
        success=_("Exercise moved to another phase."),
    )


# --- The printable handout ------------------------------------------------------------------


@clinician_required
@require_GET
def plan_handout(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    phases = list(plan.phases.order_by("order", "pk"))
    for each in phases:
        each.plan = plan
    by_id = {p.pk: p for p in phases}
    chosen = request.GET.get("phase")
    if chosen:
        phase = by_id.get(int(chosen)) if chosen.isdigit() else None
        if phase is None:
            raise Http404
    else:
        phase = by_id.get(plan.current_phase_id or 0) or (phases[0] if phases else None)
    return render(
        request,
        "rehab/builder/handout.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "clinic": plan.patient.clinic,
            "phases": phases,
            "phase": phase,
            "items": builder_selectors.handout_items(phase) if phase else [],
        },
    )


# --- The library browser --------------------------------------------------------------------


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
    rows = [(exercise, library_selectors.default_dose_text(exercise)) for exercise in page]
    query = urlencode({k: v for k, v in form.values().items() if v})
    return render(
        request,
        "rehab/builder/library.html",
        {"form": form, "page": page, "rows": rows, "query": query},
    )


@clinician_required
@require_GET
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_exercise(signed_in_user(request, User), pk)
    return render(
        request,
        "rehab/builder/library_detail.html",
        {
            "exercise": exercise,
            "equipment": list(exercise.equipment.all()),
            "dose_text": library_selectors.default_dose_text(exercise),
            "progresses_to": (
                exercises_for(signed_in_user(request, User))
                .filter(pk=exercise.progresses_to_id)
                .first()
                if exercise.progresses_to_id
                else None
            ),
        },
    )
