"""The plan builder's phase cards and their exercise rows, as the page draws them: each with
its edit forms (only the one being edited, or shown again with its errors), whether it is open,
and the keys and addresses that name its parts on the page (``rehab.views.builder``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms

from core.ids import opaque
from rehab.forms.builder import DoseForm, PhaseForm, PrescriptionMovePhaseForm
from rehab.forms.library import MediaUploadForm
from rehab.models.doses import Side
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.selectors import builder as builder_selectors

# The keys of a phase's and an exercise's parts on the page: each is its form's prefix, its
# "edit" key (``?edit=``) and its anchor (``#rx-…``, the element's id). They travel in the
# page's address, so they name the row by its opaque id (core.ids), never by its number.


def phase_key(pk: int) -> str:
    return f"phase-{opaque(pk)}"


def rx_key(pk: int, part: str = "rx") -> str:
    """``part`` "rx" (the dose form and the exercise's anchor), "rxmove" or "rxmedia"."""
    return f"{part}-{opaque(pk)}"


def media_form_auto_id(pk: int) -> str:
    """The ids of the attach form's fields of prescription ``pk`` (drawn on the builder, and
    again with its errors when an upload is refused)."""
    return f"{rx_key(pk)}-media-%s"


@dataclass
class ItemView:
    """A live prescription with its forms (dose and note; move to another phase)."""

    item: builder_selectors.BuilderItem
    dose_form: forms.BaseForm | None = None  # a DoseForm
    move_form: forms.BaseForm | None = None  # a PrescriptionMovePhaseForm
    media_form: forms.BaseForm | None = None  # a MediaUploadForm (the patient's own video)
    # Just added, moved or edited: marked, with its confirmation beside it.
    changed: bool = False
    # Which leg, in words (its ``get_side_display``, from the page's ``side_labels``).
    side_label: str = ""

    @property
    def rx(self) -> Prescription:
        return self.item.prescription

    @property
    def dose_key(self) -> str:
        """The dose form's prefix, its "edit" key and the exercise's anchor on the page."""
        return rx_key(self.rx.pk)

    @property
    def move_key(self) -> str:
        return rx_key(self.rx.pk, "rxmove")

    @property
    def media_key(self) -> str:
        return rx_key(self.rx.pk, "rxmedia")

    @property
    def editing(self) -> bool:
        """One of its forms is open."""
        return bool(self.dose_form or self.move_form or self.media_form)


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
    # The builder with this phase open (a collapsed phase's body is read when it is opened).
    open_url: str = ""
    # Its weeks and dates in words (the page's ``week_ranges``).
    week_range: str = ""

    @property
    def key(self) -> str:
        """The phase form's prefix, its "edit" key and the phase's anchor on the page."""
        return phase_key(self.phase.pk)


@dataclass
class EditForms:
    """The builder's edit forms: only the one asked for (``editing``, from its link) and any
    shown again with their errors (``bound``); the others have a link, not a form each."""

    plan: Plan
    bound: dict[str, forms.BaseForm]
    editing: str

    @property
    def editable(self) -> bool:
        return self.plan.status != Plan.Status.COMPLETED

    @property
    def version(self) -> dict[str, int]:
        return {"version": self.plan.version}

    def wanted(self, key: str) -> bool:
        return self.editable and (key in self.bound or key == self.editing)


def item_view(
    item: builder_selectors.BuilderItem,
    *,
    phases: list[PlanPhase],
    edit: EditForms,
    focus: str,
    side_labels: dict[str, str],
) -> ItemView:
    rx = item.prescription
    view = ItemView(item=item, side_label=side_labels.get(rx.side, rx.side))
    view.changed = view.dose_key == focus
    if edit.wanted(view.dose_key):
        view.dose_form = edit.bound.get(view.dose_key) or DoseForm(
            instance=rx, prefix=view.dose_key, initial=edit.version, warning=item.warning
        )
    if edit.wanted(view.media_key):
        view.media_form = edit.bound.get(view.media_key) or MediaUploadForm(
            auto_id=media_form_auto_id(rx.pk)
        )
    if edit.wanted(view.move_key):
        view.move_form = edit.bound.get(view.move_key) or PrescriptionMovePhaseForm(
            prefix=view.move_key,
            initial={**edit.version, "phase": rx.phase_id},
            phases=phases,
        )
    return view


def phase_views(
    builder: builder_selectors.PlanBuilder,
    *,
    edit: EditForms,
    current: PlanPhase | None,
    states: dict[int, str],
    search: dict[str, str],
    target_pk: int | None,
    opened: str,
    focus: str,
    page_url: str,
    builder_url: str,
    week_ranges: dict[int, str],
) -> list[PhaseView]:
    """Each phase with its forms, and whether it is open: the current one, one being edited,
    just changed (``focus``), added to (``to`` in the search), with an exercise needing a reason
    or just changed, or ``opened`` (a phase's opaque id, or "all": another string opens
    nothing more). ``page_url``: the builder's address without a query; ``builder_url``: with
    the search's; ``week_ranges``: each phase's weeks and dates in words, by id."""
    plan = builder.plan
    phases = builder.phase_list
    join = "&" if "?" in builder_url else "?"
    # Each row's leg in words, translated once for the page (``get_side_display`` translates
    # every choice's label each time it is called).
    side_labels = {value: str(label) for value, label in Side.choices}
    views = []
    for builder_phase in builder.phases:
        phase = builder_phase.phase
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
            add_url=with_query(page_url, search={**search, "to": opaque(phase.pk)})
            + "&focus=library",
            open_url=f"{builder_url}{join}open={opaque(phase.pk)}",
            week_range=week_ranges[phase.pk],
        )
        if edit.wanted(view.key):
            view.form = edit.bound.get(view.key) or PhaseForm(
                instance=phase,
                prefix=view.key,
                initial=edit.version,
                plan=plan,
                prescriptions=[item.prescription for item in builder_phase.items],
            )
        view.items = [
            item_view(item, phases=phases, edit=edit, focus=focus, side_labels=side_labels)
            for item in builder_phase.items
        ]
        view.is_open = (
            is_current
            or opened in ("all", opaque(phase.pk))
            or view.form is not None
            or view.key == focus
            or (phase.pk == target_pk and bool(search.get("to")))
            or any(iv.editing or iv.changed or iv.item.needs_reason for iv in view.items)
        )
        views.append(view)
    return views


def with_query(url: str, *, anchor: str = "", search: dict[str, str] | None = None) -> str:
    """``url`` (a builder's address) with the search's values that are given, and ``anchor``."""
    query = {k: v for k, v in (search or {}).items() if v}
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")
