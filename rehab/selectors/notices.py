"""Reads for what Today says besides the exercises: a red flag's hold (paused, waiting for a
clinician's review, or reviewed lately), the day's check-in, the ATRS offer and a reply from
the clinic not read yet.

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clinic.models import Message, Patient
from rehab import clinical
from rehab.models.alerts import Alert, PlanHold
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn
from rehab.models.plans import Plan

# How long Today says "your physiotherapist has reviewed…" after a paused plan is resumed.
REVIEWED_NOTICE_FOR = dt.timedelta(days=3)


@dataclass(frozen=True)
class HoldNotice:
    """What Today says about a red flag: the plan is paused (the open ``hold``: its flags'
    advice); or there is no plan in care to pause and the red flags ``waiting`` (codes) wait
    for a clinician's review (their advice all the same); or a clinician reviewed what was
    reported on ``reported_at`` and resumed the plan a short while ago.

    ``care_ended``: the patient was discharged (or archived) with red flags waiting. No plan
    will be resumed and no physiotherapist here follows them, so the words do not promise a
    go-ahead: they send the patient to their clinic or their doctor."""

    hold: PlanHold | None = None
    reported_at: dt.datetime | None = None
    waiting: tuple[str, ...] = ()
    care_ended: bool = False
    # The patient's time zone, whose day ``message`` names (the request's may be the server's:
    # the API's token sign-in has no session for ``ReaderTimeZoneMiddleware`` to read).
    tz: dt.tzinfo | None = None

    @property
    def paused(self) -> bool:
        return self.hold is not None

    @property
    def advice(self) -> bool:
        """Red flags wait for a clinician's review: their advice is shown (paused or not)."""
        return self.paused or bool(self.waiting)

    @property
    def red_flags(self) -> list[clinical.RedFlag]:
        """The red flags whose advice is shown, in the check-in's order."""
        if self.hold is not None:
            return self.hold.red_flags
        return [flag for flag in clinical.RED_FLAGS if flag.code in self.waiting]

    @property
    def kind(self) -> str:
        """``paused``, ``waiting`` (red flags wait for review, no plan in care) or
        ``reviewed``."""
        if self.paused:
            return "paused"
        return "waiting" if self.waiting else "reviewed"

    @property
    def title(self) -> str | None:
        """The banner's heading (the patient's words; none once reviewed)."""
        if self.paused:
            return _("Your exercises are paused")
        if self.waiting:
            return _("What you told us needs checking")
        return None

    @property
    def message(self) -> str:
        """What the patient must do (the patient's words): the web page and the API say the
        same."""
        if self.paused:
            return _(
                "Do not do your exercises until your physiotherapist has looked at what you "
                "told us and says you can start again."
            )
        if self.waiting and self.care_ended:
            return _(
                "Your clinic has been alerted, but your care here has ended: contact your "
                "clinic or your doctor about what you told us yourself. Do not exercise until "
                "one of them has checked it."
            )
        if self.waiting:
            return _(
                "Your clinic has been alerted. Do not start any exercises until your "
                "physiotherapist has looked at what you told us and says you can."
            )
        day = formats.date_format(timezone.localtime(self.reported_at, self.tz), "j F")
        return _(
            "Your physiotherapist has reviewed what you reported on %(day)s. You can do your "
            "exercises again. Stop and contact the clinic if the problem comes back."
        ) % {"day": day}


def paused_notice(plan: Plan | None) -> HoldNotice | None:
    """The paused plan's open hold (one query, only while paused), else None."""
    if plan is not None and plan.is_paused:
        hold = PlanHold.objects.filter(plan=plan, resumed_at__isnull=True).first()
        if hold is not None:
            return HoldNotice(hold=hold)
    return None


def hold_notice(
    patient: Patient,
    plan: Plan | None,
    notices: TodayNotices | None = None,
    *,
    read_review: bool = False,
) -> HoldNotice | None:
    """What Today (and "My plan") says of a red flag, for ``patient`` whose plan in care is
    ``plan``: the paused plan's open hold (``paused_notice``); else, with no plan in care (a
    new patient, a draft plan: nothing to pause; a discharged patient, whose plan discharge
    completed), the red flags still waiting for a clinician's review, until a clinician
    acknowledges their alerts; else the recent review
    ``today_notices`` found (Today's ``notices``), or, with ``read_review`` and no notices,
    the one ``reviewed_report_at`` finds (/api/v1/me/today/, which shows none of Today's other
    notices: one query, only then); else None.

    The red flags waiting are read (one query) only when there is no plan in care: with one,
    a red flag paused it and its hold says the same, so Today's usual path reads nothing more.
    """
    paused = paused_notice(plan)
    if paused is not None:
        return paused
    if plan is None:
        waiting = red_flags_waiting(patient)
        if waiting:
            return HoldNotice(
                waiting=tuple(dict.fromkeys(waiting)),
                care_ended=patient.status != Patient.Status.ACTIVE,
            )
    if notices is not None:
        reported_at = notices.reviewed_report_at
    else:
        reported_at = reviewed_report_at(patient) if read_review else None
    if reported_at is not None:
        return HoldNotice(reported_at=reported_at, tz=patient.tz)
    return None


def exercise_held(patient: Patient) -> bool:
    """Whether a red flag holds the patient's exercise until a clinician's review: their plan
    in care is paused, or (no plan in care to pause) red flags wait for review. One query."""
    return (
        Patient.objects.filter(pk=patient.pk)
        .filter(
            Exists(Plan.objects.filter(patient=OuterRef("pk"), status=Plan.Status.PAUSED))
            | Exists(Alert.objects.red_flags_waiting(patient.pk))
        )
        .exists()
    )


def red_flags_waiting(patient: Patient) -> list[str]:
    """The codes of the patient's red flags reported and not yet reviewed by a clinician (their
    alerts are open). One query."""
    return list(Alert.objects.red_flags_waiting(patient.pk).values_list("code", flat=True))


def checkin_on(patient: Patient, day: dt.date) -> CheckIn | None:
    return CheckIn.objects.filter(patient=patient, date=day).first()


@dataclass(frozen=True)
class AtrsOffer:
    """Why the Today page asks for the ATRS: a clinician's request or a scheduled week."""

    request: AtrsRequest | None = None
    week: int | None = None
    request_id: int | None = None

    @property
    def requested(self) -> bool:
        """The clinic asked for it (else ``week`` is the scheduled week)."""
        return self.request is not None or self.request_id is not None


def atrs_due_window(week: int) -> tuple[int, int] | None:
    """The scheduled ATRS offer open in ``week`` (from the surgery, else the injury): its
    offer week and the week it lapses (``clinical.ATRS_OFFER_OPEN_WEEKS`` later, or at the next
    offer's week), else None. Week 6 is open in weeks 6, 7 and 8; week 39 in 39 to 41."""
    offers = clinical.ATRS_OFFER_WEEKS
    for index, offer in enumerate(offers):
        end = offer + clinical.ATRS_OFFER_OPEN_WEEKS
        if index + 1 < len(offers):
            end = min(end, offers[index + 1])
        if offer <= week < end:
            return offer, end
    return None


def _atrs_window(patient: Patient, day: dt.date) -> tuple[int, dt.date, dt.date] | None:
    """The scheduled ATRS offer open on ``day``: its week, its first day and the day it lapses,
    else None."""
    window = atrs_due_window(patient.week_on(day))
    if window is None:
        return None
    week, end = window
    return (
        week,
        patient.anchor_date + dt.timedelta(weeks=week),
        patient.anchor_date + dt.timedelta(weeks=end),
    )


def _atrs_answered_in(start: dt.date, end: dt.date) -> QuerySet[AtrsResponse]:
    """The patient's (``OuterRef("pk")`` or filtered further) answers from ``start`` to the day
    before ``end``: one answer closes the offer."""
    return AtrsResponse.objects.filter(date__gte=start, date__lt=end)


def atrs_offer(patient: Patient, *, day: dt.date) -> AtrsOffer | None:
    """Offer the ATRS when the clinic asked for it and it is unanswered, or when a scheduled
    offer (weeks 6, 12, 26, 39 and 52 from the anchor date, open for a few weeks:
    ``atrs_due_window``) is open on ``day`` and nothing was answered since it opened. Two
    queries at most."""
    request = (
        AtrsRequest.objects.filter(patient=patient, response__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    if request is not None:
        return AtrsOffer(request=request, request_id=request.pk)
    window = _atrs_window(patient, day)
    if window is None:
        return None
    week, start, end = window
    answered = _atrs_answered_in(start, end).filter(patient=patient).exists()
    return None if answered else AtrsOffer(week=week)


def atrs_due(patient: Patient, *, day: dt.date) -> bool:
    """Whether ``atrs_offer`` offers the ATRS on ``day``, for the patient menus: one query (an
    open request exists, or, while a scheduled offer is open, no answer since it opened)."""
    open_request = AtrsRequest.objects.filter(patient=patient, response__isnull=True)
    window = _atrs_window(patient, day)
    if window is None:
        return open_request.exists()
    answered = _atrs_answered_in(window[1], window[2]).filter(patient=patient)
    return (
        Patient.objects.filter(pk=patient.pk).filter(Exists(open_request) | ~Exists(answered))
    ).exists()


@dataclass(frozen=True)
class TodayNotices:
    """What the Today page reminds the patient of besides the exercises."""

    checked_in: bool
    atrs_offer: AtrsOffer | None
    # When the patient reported the red flags of a hold a clinician resumed lately, if any.
    reviewed_report_at: dt.datetime | None = None
    # A message from the clinic the patient has not read yet (opening Messages reads it).
    unread_reply: bool = False


def _reviewed_lately(patient: Any) -> QuerySet[PlanHold, Any]:
    """When ``patient`` (a patient, or ``OuterRef("pk")``) reported what paused each hold of
    their plans a clinician resumed within ``REVIEWED_NOTICE_FOR``, latest first, as
    ``reported``: the hold's check-in (a plan activated later was paused then, days after it),
    else when the plan paused."""
    return (
        PlanHold.objects.filter(
            plan__patient=patient, resumed_at__gte=timezone.now() - REVIEWED_NOTICE_FOR
        )
        .order_by("-resumed_at", "-pk")
        .values(reported=Coalesce("checkin__created_at", "started_at"))
    )


def reviewed_report_at(patient: Patient) -> dt.datetime | None:
    """When the patient reported the red flags of a hold a clinician resumed lately
    (``TodayNotices.reviewed_report_at``), else None. One query."""
    row = _reviewed_lately(patient).first()
    return None if row is None else row["reported"]


def today_notices(patient: Patient, *, day: dt.date) -> TodayNotices:
    """Whether the patient has checked in on ``day`` (``checkin_on``), the ATRS offer
    (``atrs_offer``, without the request's row), a red flag's hold resumed within
    ``REVIEWED_NOTICE_FOR`` and whether a reply from the clinic waits unread, in one query
    whatever the week."""
    annotations: dict[str, Any] = {
        "reviewed_report_at": Subquery(_reviewed_lately(OuterRef("pk"))[:1]),
        "checked_in": Exists(CheckIn.objects.filter(patient=OuterRef("pk"), date=day)),
        "unread_reply": Exists(
            Message.objects.unread(by_patient=True).filter(patient=OuterRef("pk"))
        ),
        "request_id": Subquery(
            AtrsRequest.objects.filter(patient=OuterRef("pk"), response__isnull=True)
            .order_by("-requested_at")
            .values("pk")[:1]
        ),
    }
    window = _atrs_window(patient, day)
    if window is not None:
        annotations["answered"] = Exists(
            _atrs_answered_in(window[1], window[2]).filter(patient=OuterRef("pk"))
        )
    row: dict[str, Any] = dict(Patient.objects.filter(pk=patient.pk).values(**annotations).get())
    offer: AtrsOffer | None = None
    if row["request_id"] is not None:
        offer = AtrsOffer(request_id=row["request_id"])
    elif window is not None and not row["answered"]:
        offer = AtrsOffer(week=window[0])
    return TodayNotices(
        checked_in=row["checked_in"],
        atrs_offer=offer,
        reviewed_report_at=row["reviewed_report_at"],
        unread_reply=row["unread_reply"],
    )


def open_atrs_request(patient: Patient) -> AtrsRequest | None:
    return (
        AtrsRequest.objects.filter(patient=patient, response__isnull=True)
        .select_related("requested_by")
        .order_by("-requested_at")
        .first()
    )
