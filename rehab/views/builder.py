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
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from clinic.access import clinician_required
from clinic.models import User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab import guardrails
from rehab.access import (
    exercises_for,
    get_plan_for_clinician,
)
from rehab.forms.builder import (
    BuilderLibraryForm,
    DoseForm,
    PhaseForm,
    PlanRenameForm,
    PrescriptionAddForm,
    PrescriptionMovePhaseForm,
)
from rehab.forms.library import MediaUploadForm
from rehab.models.library import Equipment, Exercise, ExerciseMedia
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
    # "done", "current" or "upcoming": where the phase lies against the patient's week.
    state: str = "upcoming"
    # Shown open: the current phase, one being edited, needing a reason or just added to.
    is_open: bool = False
    # The weeks of the phase, for the current phase's week marker (today's is marked).
    weeks: list[int] = field(default_factory=list)
    # The builder with its library panel adding to this phase.
    add_url: str = ""

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
    # Not safe at the patient's week in the target phase: the guardrail, with its reason.
    warning: guardrails.GuardrailWarning | None = None
    # Its first photo (or a video's poster), shown small beside its name.
    picture: ExerciseMedia | None = None


SEARCH_FIELDS = BuilderLibraryForm.FIELDS


def _search_params(request: HtmxHttpRequest) -> Any:
    """The builder's library search as sent: the query string, or for an htmx edit, the query
    string of the page the clinician is on (so an edit does not clear their search)."""
    if request.htmx and request.method == "POST" and request.htmx.current_url:
        return {k: v[-1] for k, v in parse_qs(urlsplit(request.htmx.current_url).query).items()}
    return request.GET


def _search_from(
    request: HtmxHttpRequest, *, equipment: list[Equipment], phases: list[PlanPhase]
) -> dict[str, str]:
    form = BuilderLibraryForm(
        _search_params(request), auto_id="library-%s", equipment=equipment, phases=phases
    )
    return form.values()


def _builder_context(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    search: dict[str, str] | None = None,
    editing: str = "",
    focus: str = "",
) -> dict[str, Any]:
    """The builder's context. A phase's or an exercise's edit form is built only for the one
    being edited (``editing``: "phase-<pk>", "rx-<pk>", "rxmove-<pk>" or "rxmedia-<pk>", from
    its link)
    or shown again with its errors (``bound``); the others have a link, not a form each."""
    bound = bound or {}

    def wanted(key: str) -> bool:
        return editable and (key in bound or key == editing)

    editable = plan.status != Plan.Status.COMPLETED
    builder = builder_selectors.plan_builder(plan)
    phases = builder.phase_list
    equipment = list(Equipment.objects.order_by("name"))
    if search is None:
        search = _search_from(request, equipment=equipment, phases=phases)
    evidence = builder_selectors.progression_evidence(plan, phases=phases)
    version = {"version": plan.version}
    week_now = evidence.week
    current, states = builder_selectors.week_states(phases, plan, week_now)
    ids = {p.pk for p in phases}
    target_pk = int(search["to"]) if search.get("to", "").isdigit() else None
    if target_pk not in ids:
        target_pk = current.pk if current else (phases[0].pk if phases else None)

    phase_views = []
    for builder_phase in builder.phases:
        phase = builder_phase.phase
        key = f"phase-{phase.pk}"
        is_current = current is not None and phase.pk == current.pk
        view = PhaseView(
            phase=phase,
            builder_phase=builder_phase,
            form=None,
            is_current=is_current,
            state=states[phase.pk],
            weeks=list(range(phase.start_week, max(phase.end_week, phase.start_week + 1)))
            if is_current
            else [],
            add_url=_builder_url(plan.pk, search={**search, "to": str(phase.pk)})
            + "&focus=library",
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
        view.is_open = (
            is_current
            or view.form is not None
            or (phase.pk == target_pk and bool(search.get("to")))
            or any(
                iv.dose_form or iv.move_form or iv.media_form or iv.item.needs_reason
                for iv in view.items
            )
            or any(iv.dose_key == focus for iv in view.items)
        )
        phase_views.append(view)

    target = next((p for p in phases if p.pk == target_pk), None)
    results: list[LibraryResult] | None = None
    if search["q"] or search["category"] or search["equipment"] or search["safe"]:
        exercises = library_selectors.library_search(
            exercises_for(signed_in_user(request, User)).filter(is_published=True),
            q=search["q"],
            category=search["category"],
            equipment=search["equipment"],
        ).prefetch_related("media")
        results = []
        # The guardrail is the patient's (guardrails.earliest_safe_week), so "safe now" is
        # filtered here; the library is small and its rows are read in one query.
        for exercise in exercises:
            warning = (
                guardrails.guardrail_warning(exercise=exercise, phase=target) if target else None
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
                    form=PrescriptionAddForm(
                        auto_id=f"add-{exercise.pk}-%s",
                        initial={**version, **search, "exercise": exercise.pk, "phase": target_pk},
                        exercises=Exercise.objects.none(),
                        phases=phases,
                    )
                    if editable and target
                    else None,
                )
            )
            if len(results) >= LIBRARY_RESULTS_MAX:
                break

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
        "search_form": BuilderLibraryForm(
            initial={**search, "to": target_pk},
            auto_id="library-%s",
            equipment=equipment,
            phases=phases,
        ),
        "search": search,
        "results": results,
        "results_max": LIBRARY_RESULTS_MAX,
        "today": evidence.today,
        "week_now": week_now,
        "current_phase": current,
        "target_phase": target,
        "focus": focus,
    }


def _render_builder(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    search: dict[str, str] | None = None,
    editing: str = "",
    focus: str = "",
) -> HttpResponse:
    template = BUILDER
    if request.htmx:
        partial = "library_results" if request.htmx.target == "library-results" else "body"
        template = f"{BUILDER}#builder_{partial}"
    context = _builder_context(
        request, plan, bound=bound, search=search, editing=editing, focus=focus
    )
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
    """Done (or refused with a message): the fresh builder for htmx, else a redirect to it.

    ``anchor`` is the element the edit concerns: the redirect goes to it, and the htmx answer
    opens its phase and marks it for the page's script to bring into view."""
    if success:
        messages.success(request, success)
    if request.htmx:
        plan = get_plan_for_clinician(signed_in_user(request, User), plan_pk)
        return _render_builder(request, plan, search=search, focus=anchor)
    return redirect(_builder_url(plan_pk, anchor=anchor, search=search))


STALE_KEPT = _(
    "What you typed is kept below but not saved. Check the plan as it is now, then save again."
)


def _show_form_again(
    request: HtmxHttpRequest,
    plan_pk: int,
    form: forms.BaseForm,
    key: str,
    *,
    search: dict[str, str] | None = None,
    stale: ValidationError | None = None,
) -> HttpResponse:
    """The builder with ``form`` shown with its errors, where it was. Nothing was saved.

    A missing version is not the clinician's typing error: the page is simply out of date, so
    it is shown afresh with the message instead. A plan someone else changed meanwhile
    (``stale``) is shown as it is now, with ``form`` still holding what the clinician typed and
    the refusal beside it; its version is the current one, so saving again is their choice.
    """
    if "version" in form.errors:
        for message in form.errors["version"]:
            messages.error(request, str(message))
        return _after_edit(request, plan_pk, search=search)
    plan = get_plan_for_clinician(
        signed_in_user(request, User), plan_pk
    )  # fresh: the failed edit rolled back
    if stale is not None:
        for message in stale.messages:
            form.add_error(None, f"{message} {STALE_KEPT}")
        data = request.POST.copy()  # what was typed, with the current version
        data[form.add_prefix("version")] = str(plan.version)
        form.data = data
    return _render_builder(request, plan, bound={key: form}, search=search)


def _edit(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    form: forms.BaseForm,
    key: str = "",
    action: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    anchor: str | Callable[[Any], str] = "",
    search: dict[str, str] | None = None,
) -> HttpResponse:
    """Validate ``form``, call the service in ``action``, and answer.

    With a ``key`` the form is shown again with its errors (and, if someone else changed the
    plan meanwhile, with what was typed kept); without one (buttons) errors become messages at
    the top of the builder. ``success`` and ``anchor`` may be functions of the service's result.
    """
    before = anchor if isinstance(anchor, str) else ""
    if not form.is_valid():
        if key:
            return _show_form_again(request, plan.pk, form, key, search=search)
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _after_edit(request, plan.pk, anchor=before, search=search)
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        stale = getattr(error, "code", None) == "stale_plan"
        if key:
            if not stale:
                add_service_errors(form, error)
            return _show_form_again(
                request, plan.pk, form, key, search=search, stale=error if stale else None
            )
        for message in error.messages:
            messages.error(request, message)
        return _after_edit(request, plan.pk, anchor=before, search=search)
    message = success(result) if callable(success) else success
    after = anchor(result) if callable(anchor) else anchor
    return _after_edit(request, plan.pk, success=message, anchor=after, search=search)


@clinician_required
@require_GET
def plan_builder(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    focus = "library" if request.GET.get("focus") == "library" else ""
    return _render_builder(request, plan, editing=request.GET.get("edit", ""), focus=focus)
