"""Reads for the plan builder: its phases and items with their guardrail warnings, a phase's
handout, what a template held that a new plan left out, what changed since a page was drawn (the
evidence for moving to the next phase: ``rehab.selectors.progression``).

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.models import User
from rehab.guardrails import GuardrailWarning, guardrail_warning, patient_week_for_phase
from rehab.models.library import Exercise
from rehab.models.logbook import ExerciseLog
from rehab.models.plans import (
    Plan,
    PlanEdit,
    PlanPhase,
    Prescription,
    PrescriptionMedia,
)
from rehab.models.protocols import Protocol, ProtocolItem
from rehab.services.plans import phase_in

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class BuilderItem:
    """A prescription as the builder shows it: whether it was logged, any guardrail, and the
    photos and videos made for the patient (``media``: read only when asked for)."""

    prescription: Prescription
    has_logs: bool
    warning: GuardrailWarning | None
    media: list[PrescriptionMedia] = field(default_factory=list)

    @property
    def needs_reason(self) -> bool:
        return self.warning is not None and not self.prescription.guardrail_reason.strip()


@dataclass
class BuilderPhase:
    phase: PlanPhase
    items: list[BuilderItem] = field(default_factory=list)  # live, in order
    retired: list[BuilderItem] = field(default_factory=list)

    @property
    def has_logs(self) -> bool:
        return any(item.has_logs for item in [*self.items, *self.retired])

    @property
    def exercise_count(self) -> int:
        """Its live exercises; education items (advice to read, ``is_advice``) apart."""
        return sum(1 for item in self.items if not item.prescription.is_advice)

    @property
    def education_count(self) -> int:
        return len(self.items) - self.exercise_count


@dataclass
class PlanBuilder:
    plan: Plan
    phases: list[BuilderPhase]

    @property
    def missing_reasons(self) -> list[BuilderItem]:
        return [item for phase in self.phases for item in phase.items if item.needs_reason]

    @property
    def phase_list(self) -> list[PlanPhase]:
        return [p.phase for p in self.phases]


# What the builder and the plan's overview never show of an exercise (its instructions for
# the patient): not read.
UNSHOWN_EXERCISE_FIELDS = (
    "exercise__summary",
    "exercise__steps",
    "exercise__cues",
    "exercise__safety_notes",
    "exercise__patient_summary",
    "exercise__patient_safety_notes",
)


def plan_builder(plan: Plan, *, media: bool = True) -> PlanBuilder:
    """The plan's phases in order with their prescriptions, live and retired, each with its
    exercise, whether it has logs, its guardrail warning and (``media``) the patient's own
    photos and videos. Two queries, three when a prescription has photos or videos."""
    phases = list(PlanPhase.objects.filter(plan=plan).order_by("order", "pk"))  # 1
    by_id: dict[int, BuilderPhase] = {}
    week_of: dict[int, int] = {}  # the week each phase starts for the patient (its guardrail)
    today = plan.patient.local_today()
    for phase in phases:
        phase.plan = plan
        by_id[phase.pk] = BuilderPhase(phase=phase)
        week_of[phase.pk] = patient_week_for_phase(phase, today=today, phases=phases)
    rows = list(
        Prescription.objects.filter(phase__plan=plan)  # 2
        .select_related("exercise")
        .defer(*UNSHOWN_EXERCISE_FIELDS)
        .annotate(
            logged=Exists(ExerciseLog.objects.filter(prescription=OuterRef("pk"))),
            has_media=Exists(PrescriptionMedia.objects.filter(prescription=OuterRef("pk"))),
        )
        .order_by("order", "pk")
    )
    own: dict[int, list[PrescriptionMedia]] = defaultdict(list)
    with_media = [rx.pk for rx in rows if rx.has_media] if media else []
    if with_media:
        for row in PrescriptionMedia.objects.filter(prescription_id__in=with_media):  # 3
            own[row.prescription_id].append(row)
    for rx in rows:
        builder_phase = by_id[rx.phase_id]
        rx.phase = builder_phase.phase
        item = BuilderItem(
            prescription=rx,
            has_logs=bool(rx.logged),
            warning=guardrail_warning(
                exercise=rx.exercise, phase=rx.phase, week=week_of[rx.phase_id]
            ),
            media=own[rx.pk],
        )
        (builder_phase.retired if rx.retired_at else builder_phase.items).append(item)
    return PlanBuilder(plan=plan, phases=[by_id[p.pk] for p in phases])


def week_states(
    phases: Sequence[PlanPhase], plan: Plan, week: int
) -> tuple[PlanPhase | None, dict[int, str]]:
    """The phase the patient is in and each phase's state: "done", "current" or "upcoming".

    A plan in care is in its current phase; a draft in the phase for the patient's ``week``
    (where activation would start it); a completed plan's phases are all done."""
    if plan.status == Plan.Status.COMPLETED:
        return None, {p.pk: "done" for p in phases}
    if plan.in_care:
        current = next((p for p in phases if p.pk == plan.current_phase_id), None)
    else:
        current = phase_in(phases, week)
    states: dict[int, str] = {}
    seen_current = current is None
    for phase in phases:
        if current is not None and phase.pk == current.pk:
            states[phase.pk] = "current"
            seen_current = True
        else:
            states[phase.pk] = "upcoming" if seen_current else "done"
    return current, states


@dataclass
class PlanSummary:
    """What a plan gives the patient: its phases with their exercises, every exercise placed
    before its earliest safe week (with the reason, or without one yet), and the phase the
    patient starts in, whose exercises they see first on Today."""

    builder: PlanBuilder
    week: int
    first_phase: BuilderPhase | None
    states: dict[int, str]

    @property
    def phases(self) -> list[BuilderPhase]:
        return self.builder.phases

    @property
    def early(self) -> list[BuilderItem]:
        return [item for phase in self.phases for item in phase.items if item.warning]

    @property
    def missing_reasons(self) -> list[BuilderItem]:
        return self.builder.missing_reasons

    @property
    def exercise_count(self) -> int:
        return sum(phase.exercise_count for phase in self.phases)

    @property
    def education_count(self) -> int:
        return sum(phase.education_count for phase in self.phases)


def plan_summary(plan: Plan, *, today: dt.date | None = None) -> PlanSummary:
    """The plan's summary for activation and its overview. Two queries (``plan_builder``
    without the patient's own photos and videos, which the summary does not show).

    The guardrail warnings are the builder's: each phase compared with the week the patient
    will be in when it starts for them, the phase for today's week starting now, as
    activation checks them."""
    builder = plan_builder(plan, media=False)
    week = plan.week_on(today or plan.patient.local_today())
    current, states = week_states(builder.phase_list, plan, week)
    first = next((p for p in builder.phases if current and p.phase.pk == current.pk), None)
    return PlanSummary(builder=builder, week=week, first_phase=first, states=states)


def handout_items(phase: PlanPhase) -> list[BuilderItem]:
    """The live prescriptions of ``phase`` for the printed handout, with exercises, equipment
    and guardrail warnings. Two queries."""
    rows = list(
        Prescription.objects.live()
        .filter(phase=phase)
        .select_related("exercise")
        .prefetch_related("exercise__equipment")
        .order_by("order", "pk")
    )
    items = []
    week = patient_week_for_phase(phase) if rows else None  # the same for each
    for rx in rows:
        rx.phase = phase
        items.append(
            BuilderItem(
                prescription=rx,
                has_logs=False,
                warning=guardrail_warning(exercise=rx.exercise, phase=phase, week=week),
            )
        )
    return items


def default_dose_text(exercise: Exercise) -> str:
    """The exercise's default dose in words, as a prescription would read (advice to read
    has none: ``Exercise.is_advice``)."""
    return Prescription(exercise=exercise, **exercise.default_dose()).dose_text()


def protocol_exercises_not_offered(protocol: Protocol) -> list[Exercise]:
    """The exercises of ``protocol`` no longer offered for new plans (a clinic's archived
    exercise), by name: a plan made from it leaves them out (``plan_from_protocol``). One
    query."""
    return list(
        Exercise.objects.filter(
            pk__in=ProtocolItem.objects.filter(phase__protocol=protocol).values("exercise"),
            is_published=False,
        ).order_by("name", "pk")
    )


# What each builder edit did, as a refused save tells the clinician (``changes_since``).
EDIT_WORDS: dict[str, StrOrPromise] = {
    PlanEdit.Action.RENAME: gettext_lazy("%(who)s renamed the plan (%(when)s)."),
    PlanEdit.Action.PHASE_ADD: gettext_lazy("%(who)s added the phase %(phase)s (%(when)s)."),
    PlanEdit.Action.PHASE_EDIT: gettext_lazy("%(who)s changed the phase %(phase)s (%(when)s)."),
    PlanEdit.Action.PHASE_REMOVE: gettext_lazy("%(who)s removed the phase %(phase)s (%(when)s)."),
    PlanEdit.Action.PHASE_MOVE: gettext_lazy("%(who)s moved the phase %(phase)s (%(when)s)."),
    PlanEdit.Action.RX_ADD: gettext_lazy("%(who)s added %(exercise)s to %(phase)s (%(when)s)."),
    PlanEdit.Action.RX_EDIT: gettext_lazy(
        "%(who)s changed the dose of %(exercise)s in %(phase)s (%(when)s)."
    ),
    PlanEdit.Action.RX_REMOVE: gettext_lazy(
        "%(who)s removed %(exercise)s from %(phase)s (%(when)s)."
    ),
    PlanEdit.Action.RX_MOVE: gettext_lazy(
        "%(who)s moved %(exercise)s within %(phase)s (%(when)s)."
    ),
    PlanEdit.Action.RX_MOVE_PHASE: gettext_lazy(
        "%(who)s moved %(exercise)s to %(phase)s (%(when)s)."
    ),
}
CHANGES_SHOWN = 8


def changes_since(plan: Plan, *, version: int, viewer: User | None) -> list[str]:
    """What changed in ``plan`` after ``version`` (the one a refused save was made against),
    oldest first, in words: who (``viewer`` is "You": their other tab), what, where, when.
    The builder's edits say it exactly (``PlanEdit``); a change of version made elsewhere (the
    plan activated or moved on a phase, its exit criteria) is said in one line. One query."""
    edits = list(
        PlanEdit.objects.filter(plan=plan, version__gt=version)
        .select_related("by")
        .order_by("version")
    )
    lines = []
    for edit in edits[-CHANGES_SHOWN:]:
        if edit.by_id is not None and viewer is not None and edit.by_id == viewer.pk:
            who = _("You")
        elif edit.by is not None:
            who = str(edit.by)  # User.__str__: the name the account shows
        else:
            who = _("Someone")
        lines.append(
            str(EDIT_WORDS[edit.action])
            % {
                "who": who,
                "phase": edit.phase_name,
                "exercise": edit.exercise_name,
                "when": formats.date_format(timezone.localtime(edit.at), "DATETIME_FORMAT"),
            }
        )
    if len(edits) > CHANGES_SHOWN:
        lines.insert(
            0,
            _("%(count)s earlier changes, then:") % {"count": len(edits) - CHANGES_SHOWN},
        )
    if plan.version - version > len(edits):
        lines.append(
            _(
                "The plan also changed in other ways (for example it was activated, moved to "
                "another phase or its exit criteria changed)."
            )
        )
    return lines
