"""The plan builder's page. Clinicians only.

A plan's life (create, rename, activate, change phase, handout) is in ``rehab.views.plans``; its
phases and exercises are edited in ``rehab.views.phases``, both answering through
``rehab.views.edits``.

Its phase cards and exercise rows, with their edit forms: ``rehab.views.builder.cards``. The
page draws only what is shown: the open phases' exercises (a collapsed phase's are read
when it opens, ``?open=``), one edit form at a time (``?edit=``), and of an active plan's
progression panel its summary (the progression evidence and the phase history are read when
opened: ``?open=progression``, ``?open=history``); for htmx it answers with the part asked
for (the builder's body, the library results, a phase's body, or a part of the panel).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from clinic.access import clinician_required
from clinic.models import User
from core.ids import from_opaque, opaque
from core.users import signed_in_user
from rehab.access import (
    get_plan_for_clinician,
)
from rehab.forms.builder import BuilderLibraryForm, PhaseForm, PlanRenameForm
from rehab.models.library import Equipment
from rehab.models.plans import PhaseChange, Plan, PlanPhase
from rehab.selectors import builder as builder_selectors
from rehab.selectors import progression as progression_selectors
from rehab.views import library as library_views
from rehab.views.builder.cards import EditForms, phase_key, phase_views, with_query
from rehab.weeks import phase_week_range

BUILDER = "rehab/builder/builder.html"
NEW_PHASE_WEEKS = 4


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --- The builder page -----------------------------------------------------------------------


SEARCH_FIELDS = BuilderLibraryForm.FIELDS


def _search_params(request: HtmxHttpRequest) -> Any:
    """The builder's library search as sent: the query string, or for an htmx edit, the query
    string of the page the clinician is on (so an edit does not clear their search)."""
    if request.htmx and request.method == "POST" and request.htmx.current_url:
        try:
            query = urlsplit(request.htmx.current_url).query
        except ValueError:  # a header that is no URL ("http://[::1"): no search to keep
            return {}
        return {k: v[-1] for k, v in parse_qs(query).items()}
    return request.GET


def _progression_evidence(
    plan: Plan, builder: builder_selectors.PlanBuilder
) -> progression_selectors.ProgressionEvidence:
    """The progression panel's detail of an active plan: its evidence, from the phases and
    prescriptions of ``builder`` (which adherence would read again)."""
    return progression_selectors.progression_evidence(
        plan,
        phases=builder.phase_list,
        prescriptions=[
            item.prescription for phase in builder.phases for item in (*phase.items, *phase.retired)
        ],
    )


# The parts of the builder read only when they are opened (``?open=``; for htmx, from their
# <details>, whose body is the target), as a collapsed phase's body is: the progression
# panel's detail and the phase history.
LAZY_PARTS = {
    "progression": "rehab/builder/_progression.html#progression_detail",
    "history": "rehab/builder/_history.html#history_table",
}


def _render_lazy_part(request: HtmxHttpRequest, plan: Plan, part: str) -> HttpResponse:
    """A part of the progression panel, opened: only what it shows is read (an active plan's;
    another has no panel)."""
    if plan.status != Plan.Status.ACTIVE:
        raise Http404
    if part == "progression":
        builder = builder_selectors.plan_builder(plan, media=False)
        context: dict[str, Any] = {"plan": plan, "evidence": _progression_evidence(plan, builder)}
    else:
        context = {"changes": progression_selectors.phase_history(plan)}
    return render(request, LAZY_PARTS[part], context)


def _builder_context(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    search: dict[str, str] | None = None,
    editing: str = "",
    focus: str = "",
    opened: str = "",
    part: str = "page",
) -> dict[str, Any]:
    """The builder's context. An edit form is built only for the one being edited
    (``editing``, from its link: "phase-<id>", "rx-<id>", "rxmove-<id>", "rxmedia-<id>" (the
    row's opaque id: ``phase_key``, ``rx_key``),
    "rename" or "new-phase") or shown again with its errors (``bound``); the others have a
    link, not a form each.

    Only the open phases' bodies are rendered (``cards.phase_views``); a collapsed one is read
    when it is opened. ``part`` is what is rendered: "page", "body" (after an edit),
    "library_results" or "phase_body" (the ``opened`` phase's). So are the progression
    panel's detail (its criteria and evidence) and the phase history: on the page and the
    body only when ``opened`` is "progression" or "history" (``LAZY_PARTS``)."""
    edit = EditForms(plan=plan, bound=bound or {}, editing=editing)
    builder = builder_selectors.plan_builder(plan)
    phases = builder.phase_list
    equipment = list(Equipment.objects.order_by("name"))
    # Each phase's weeks and dates in words, put in words once for its card and the library
    # panel's choice of phase.
    week_ranges = {phase.pk: phase_week_range(phase) for phase in phases}
    # The library panel's search: its labels and choices, and its values (from the URL).
    search_form = BuilderLibraryForm(
        _search_params(request) if search is None else search,
        auto_id="library-%s",
        equipment=equipment,
        phases=phases,
        week_ranges=week_ranges,
    )
    # The search as the form read it (an invalid one, say with a NUL character, is no search):
    # never the raw values, which reach the library's query.
    search = search_form.values()
    # The progression panel (an active plan's) and the phase history (the others'): on the page
    # and its body only; the panel's detail and history when opened.
    evidence = None
    changes: list[PhaseChange] | None = None
    if part in ("page", "body") and plan.status == Plan.Status.ACTIVE:
        if opened == "progression":
            evidence = _progression_evidence(plan, builder)
        elif opened == "history":
            changes = progression_selectors.phase_history(plan, phases=phases)
    elif part in ("page", "body"):
        changes = progression_selectors.phase_history(plan, phases=phases)
    today = plan.patient.local_today()
    week_now = plan.week_on(today)
    current, states = builder_selectors.week_states(phases, plan, week_now)
    target_pk = from_opaque(search.get("to", ""))
    if target_pk not in {p.pk for p in phases}:
        target_pk = current.pk if current else (phases[0].pk if phases else None)
    target = next((p for p in phases if p.pk == target_pk), None)
    # The builder's address, for its links (reversed once: a page has one or more per phase).
    page_url = builder_page_url(plan.pk)
    builder_url = with_query(page_url, search=search)
    views = phase_views(
        builder,
        edit=edit,
        current=current,
        states=states,
        search=search,
        target_pk=target_pk,
        opened=opened,
        focus=focus,
        page_url=page_url,
        builder_url=builder_url,
        week_ranges=week_ranges,
    )
    # The plan's name and a new phase: a link each, the form when it is asked for (or, for the
    # first phase of a plan without any, at once).
    rename_form = None
    if edit.wanted("rename"):
        rename_form = edit.bound.get("rename") or PlanRenameForm(
            prefix="rename", initial={**edit.version, "name": plan.name}
        )
    new_phase_form = None
    if edit.wanted("new-phase") or (edit.editable and not phases):
        last_end = max((p.end_week for p in phases), default=0)
        new_phase_form = edit.bound.get("new-phase") or PhaseForm(
            prefix="new-phase",
            instance=PlanPhase(plan=plan),
            initial={
                **edit.version,
                "start_week": last_end,
                "end_week": last_end + NEW_PHASE_WEEKS,
            },
            plan=plan,
        )
    join = "&" if "?" in builder_url else "?"
    results = library_views.panel_results(
        request, plan, search=search, phases=phases, target=target
    )
    return {
        "plan": plan,
        "patient": plan.patient,
        "editable": edit.editable,
        "page_url": page_url,
        "builder_url": builder_url,
        "edit_url": f"{builder_url}{join}edit=",
        # Every phase open at once (while some are collapsed).
        "open_all_url": f"{builder_url}{join}open=all"
        if any(not view.is_open for view in views)
        else "",
        "builder": builder,
        "phase_views": views,
        "several_phases": len(views) > 1,
        "evidence": evidence,
        "changes": changes,
        # The progression panel's parts, read when opened: this address with "progression" or
        # "history" after it.
        "parts_url": f"{builder_url}{join}open=",
        "rename_form": rename_form,
        "new_phase_form": new_phase_form,
        "pending_add": edit.bound.get("add"),
        "search_form": search_form,
        "search": search,
        "results": results,
        # The results' add forms (the plan can be changed and has a phase to add to): their
        # hidden fields keeping the search, rendered once for them all (none without results).
        "add_search_fields": library_views.add_search_fields(search, phases=phases)
        if results and edit.editable and target
        else None,
        "results_max": library_views.PANEL_RESULTS_MAX,
        "today": today,
        "week_now": week_now,
        "current_phase": current,
        "target_phase": target,
        "focus": focus,
    }


def render_builder(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    search: dict[str, str] | None = None,
    editing: str = "",
    focus: str = "",
    opened: str = "",
) -> HttpResponse:
    """The builder page, or for htmx the part it asked for: the library results, a collapsed
    phase's body being opened (``opened``), or the builder's body. After an edit the phases
    opened in the page's address stay open."""
    if not opened and request.method == "POST":
        opened = str(_search_params(request).get("open", ""))
    part = "page"
    if request.htmx:
        target = request.htmx.target or ""
        if target == "library-results":
            part = "library_results"
        elif opened in LAZY_PARTS and target == f"{opened}-body":
            return _render_lazy_part(request, plan, opened)
        elif (pk := from_opaque(opened)) is not None and target == f"{phase_key(pk)}-body":
            part = "phase_body"
        else:
            part = "body"
    context = _builder_context(
        request,
        plan,
        bound=bound,
        search=search,
        editing=editing,
        focus=focus,
        opened=opened,
        part=part,
    )
    if part == "phase_body":
        context["pv"] = next(
            (pv for pv in context["phase_views"] if opaque(pv.phase.pk) == opened), None
        )
        if context["pv"] is None:
            raise Http404
    template = BUILDER if part == "page" else f"{BUILDER}#builder_{part}"
    return render(request, template, context)


def plan_for_builder(request: HttpRequest, plan_pk: int) -> Plan:
    """The plan to show on the builder, with the template it came from (in one query)."""
    return get_plan_for_clinician(signed_in_user(request, User), plan_pk, also=("protocol",))


def builder_page_url(
    plan_pk: int, *, anchor: str = "", search: dict[str, str] | None = None
) -> str:
    return with_query(reverse("rehab:plan_builder", args=[plan_pk]), anchor=anchor, search=search)


@clinician_required
@require_GET
def plan_builder(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_builder(request, pk)
    focus = "library" if request.GET.get("focus") == "library" else ""
    return render_builder(
        request,
        plan,
        editing=request.GET.get("edit", ""),
        focus=focus,
        opened=request.GET.get("open", ""),
    )
