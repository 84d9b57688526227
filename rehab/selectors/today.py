"""Reads for the patient's day: what is due today, the plan and phase in force, what a tick reads
of its prescription (what Today says besides the exercises: ``rehab.selectors.notices``).

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch

from clinic.models import Patient
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.logbook import ExerciseLog, is_full_session
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.selectors import library as library_selectors


@functools.cache
def due_weekdays(days_per_week: int) -> frozenset[int]:
    """The days of each week (0–6, counted from the anchor date) on which a prescription done
    ``days_per_week`` days a week is due: spread evenly, 3 days a week falls on days 0, 3 and 5;
    7 means every day."""
    if days_per_week >= 7:
        return frozenset(range(7))
    return frozenset(
        d for d in range(7) if d == 0 or (d * days_per_week) // 7 != ((d - 1) * days_per_week) // 7
    )


def is_due_on(*, days_per_week: int, anchor: dt.date, day: dt.date) -> bool:
    """Whether a prescription done ``days_per_week`` days a week is due on ``day``."""
    return (day - anchor).days % 7 in due_weekdays(days_per_week)


def _live_on(rx: Prescription, day: dt.date, tz: dt.tzinfo | None = None) -> bool:
    """A prescription counts on ``day`` (a date in the patient's time zone ``tz``) if it
    existed by then and was not yet retired."""
    tz = tz or dt.UTC
    if rx.created_at.astimezone(tz).date() > day:
        return False
    return rx.retired_at is None or rx.retired_at.astimezone(tz).date() > day


@dataclass
class TodayItem:
    """A live prescription of the phase in force and the day's logs of it. Advice to read
    (``Prescription.is_advice``) is never due: no session expected, nothing to tick."""

    prescription: Prescription
    due: bool
    logs: list[ExerciseLog]

    @property
    def advice(self) -> bool:
        return self.prescription.is_advice

    @property
    def sessions_done(self) -> int:
        return len(self.logs)

    @property
    def sessions_shown(self) -> int:
        """The card's "Sessions today: N of M": never more than prescribed. A session beyond
        the prescription (another phone, a tick queued offline, a dose lowered during the
        day) is stored and counted where sessions are counted (``sessions_done``), but "4 of
        3" contradicts the prescription and reads as a mistake; "3 of 3" beside "Done for
        today" says what matters. today/cards.js caps its count the same way."""
        return min(self.sessions_done, self.prescription.times_per_day)

    @property
    def sessions_expected(self) -> int:
        return self.prescription.times_per_day if self.due else 0

    @property
    def open_log(self) -> ExerciseLog | None:
        """Today's last session if it has fewer sets than prescribed (still being ticked)."""
        if self.logs and not is_full_session(
            sets_done=self.logs[-1].sets_done, sets=self.prescription.sets
        ):
            return self.logs[-1]
        return None

    @property
    def done(self) -> bool:
        """All the day's sessions are done; never for advice (there is nothing to do)."""
        return (
            not self.advice
            and self.sessions_done >= max(self.prescription.times_per_day, 1)
            and self.open_log is None
        )


@dataclass
class Today:
    patient: Patient
    day: dt.date
    plan: Plan | None
    phase: PlanPhase | None
    week: int | None
    items: list[TodayItem] = field(default_factory=list)

    @property
    def paused(self) -> bool:
        """A red flag paused the plan: nothing to tick until a clinician resumes it."""
        return self.plan is not None and self.plan.is_paused

    @property
    def can_log(self) -> bool:
        """The patient may tick today: in care, and the plan is not paused."""
        return self.patient.status == Patient.Status.ACTIVE and not self.paused

    @property
    def due_items(self) -> list[TodayItem]:
        return [item for item in self.items if item.due]

    @property
    def other_items(self) -> list[TodayItem]:
        """Exercises of the phase not due today (a rest day for them)."""
        return [item for item in self.items if not item.due and not item.advice]

    @property
    def advice_items(self) -> list[TodayItem]:
        """The phase's advice to read (``Prescription.is_advice``): never due, shown apart."""
        return [item for item in self.items if item.advice]


def active_plan(patient: Patient) -> Plan | None:
    """The plan the patient follows: active, or paused by a red flag (then shown without
    anything to tick), with its template (for the name the patient reads:
    ``Plan.patient_display_name``)."""
    return (
        Plan.objects.filter(patient=patient, status__in=PLANS_IN_CARE)
        .select_related("current_phase", "protocol")
        .first()
    )


def last_plan(patient: Patient) -> Plan | None:
    """The plan a patient whose care here has ended followed last: the latest completed one
    (discharge completes it), for them to read. One query."""
    return (
        Plan.objects.filter(patient=patient, status=Plan.Status.COMPLETED)
        .select_related("protocol")  # its name for the patient (``Plan.patient_display_name``)
        .order_by("-activated_at", "-pk")
        .first()
    )


def reached_phase_ids(plan: Plan) -> set[int]:
    """The phases of ``plan`` the patient was moved into (its phase changes). One query."""
    return set(PhaseChange.objects.filter(plan=plan).values_list("to_phase_id", flat=True))


def phase_on(
    plan: Plan, day: dt.date, *, changes: Sequence[PhaseChange] | None = None
) -> PlanPhase | None:
    """The phase in force on ``day``: the last phase change effective by then, else the plan's
    current phase (a plan moved to a phase "from today" shows it today, not before). One query,
    none with ``changes`` (the plan's, each with its phase, read already: ``phase_changes``).
    """
    if changes is None:
        change = (
            PhaseChange.objects.filter(plan=plan, effective_on__lte=day)
            .select_related("to_phase")
            .order_by("-effective_on", "-changed_at", "-pk")
            .first()
        )
    else:
        change = max(
            (c for c in changes if c.effective_on <= day),
            key=lambda c: (c.effective_on, c.changed_at, c.pk),
            default=None,
        )
    phase = change.to_phase if change is not None else plan.current_phase
    if phase is not None:
        phase.plan = plan  # its dates need the plan: no query for it
    return phase


def phase_changes(plan: Plan) -> list[PhaseChange]:
    """The plan's phase changes, each with the phase it moved to (for ``phase_on`` and
    adherence, ``AdherenceRead.changes``). One query."""
    return list(PhaseChange.objects.filter(plan=plan).select_related("to_phase"))


def today_for_patient(
    patient: Patient, *, day: dt.date | None = None, own_media: bool = True
) -> Today:
    """What the Today page shows: the live exercises of the phase in force on ``day`` (the
    patient's local today by default), due or not, and the patient's logs for them that day.

    Six queries, whatever the size of the plan or history: the active plan's last phase change
    effective by ``day``, with the plan and the phase (``phase_on``'s rule); the phase's live
    prescriptions with their exercises; the exercises' equipment; their photos and videos; the
    prescriptions' own (the patient's) photos and videos (their ``media_list``, which the Today
    page shows; not read with ``own_media=False``: one query fewer); the day's logs. One more
    when no change is effective yet (the active plan with its current phase, if any).
    """
    day = day or patient.local_today()
    change = (  # 1
        PhaseChange.objects.filter(
            plan__patient=patient, plan__status__in=PLANS_IN_CARE, effective_on__lte=day
        )
        .select_related("plan__protocol", "to_phase")
        .order_by("-effective_on", "-changed_at", "-pk")
        .first()
    )
    plan: Plan | None
    phase: PlanPhase | None
    if change is not None:
        plan, phase = change.plan, change.to_phase
    else:
        plan = active_plan(patient)  # (1b)
        phase = plan.current_phase if plan is not None else None
    if plan is None:
        return Today(patient=patient, day=day, plan=plan, phase=None, week=None)
    if phase is None:
        return Today(patient=patient, day=day, plan=plan, phase=None, week=plan.week_on(day))
    phase.plan = plan  # its dates need the plan: no query for it
    # 3 equipment, 4 exercise media (the exercise's lists: ``library.equipment_and_media``),
    # 5 the patient's own media (the prescription's list)
    prefetches = [*library_selectors.equipment_and_media()]
    if own_media:
        prefetches.append(Prefetch("media", to_attr="media_list"))
    prescriptions = list(
        # 2 prescriptions + exercises
        Prescription.objects.filter(phase=phase, retired_at__isnull=True)
        .select_related("exercise")
        .prefetch_related(*prefetches)
        .order_by("order", "pk")
    )
    logs: dict[int, list[ExerciseLog]] = {rx.pk: [] for rx in prescriptions}
    if prescriptions:
        by_pk = {rx.pk: rx for rx in prescriptions}
        for log in ExerciseLog.objects.filter(  # 6
            patient=patient, date=day, prescription_id__in=list(by_pk)
        ).order_by("created_at"):
            log.prescription = by_pk[log.prescription_id]  # no query for it
            logs[log.prescription_id].append(log)
    items = [
        TodayItem(
            prescription=rx,
            due=not rx.is_advice
            and is_due_on(days_per_week=rx.days_per_week, anchor=plan.due_days_anchor, day=day),
            logs=logs[rx.pk],
        )
        for rx in prescriptions
    ]
    return Today(
        patient=patient, day=day, plan=plan, phase=phase, week=plan.week_on(day), items=items
    )


# --- Pages for the patient and the clinician's patient page -------------------------------


def prescription_to_log(patient: Patient, prescription_id: int) -> Prescription | None:
    """The patient's prescription ``prescription_id`` (of any of their plans; the service
    checks that the plan is active and the prescription current, and finds a retried tick's
    stored row even after a plan change), with its phase's plan (owner, status, start day),
    when it was prescribed, its sets then and now (``Prescription.sets_on``) and its
    exercise's name loaded, or None if it is not theirs. The
    one lookup of what a tick is for: the Today page's form and the API both use it. One query.
    """
    return (
        Prescription.objects.filter(pk=prescription_id, phase__plan__patient=patient)
        .select_related("phase__plan", "exercise")
        .only(
            "phase_id",
            "exercise_id",
            "sets",
            "earlier_doses",
            "retired_at",
            "created_at",
            "phase__plan_id",
            "phase__plan__patient_id",
            "phase__plan__status",
            "phase__plan__anchor_date",
            "phase__plan__current_phase_id",
            "exercise__name",
            "exercise__patient_name",
            "exercise__category",  # advice is not ticked (``Prescription.is_advice``)
        )
        .first()
    )
