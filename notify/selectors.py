"""Reads for the pages: a patient's reminder history, what a clinician sees of a patient's
reminders, the dashboard's delivery flags, and what a patient is told out of hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic, Patient
from notify import hours
from notify.models import PATIENT_KINDS, ChannelChoice, Notification, ReminderSettings
from rehab.models.plans import Plan

FAILING_FOR = dt.timedelta(days=3)
HISTORY_LENGTH = 30
NOT_DELIVERED = (Notification.State.FAILED, Notification.State.EXPIRED)
PLAN_PAUSED = "paused"  # Plan.Status.PAUSED once a red flag pauses plans (the clinical loop)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
CHANNEL_WORDS = {  # for the clinician: how the patient chose to be reminded
    ChannelChoice.PUSH: _("by notification"),
    ChannelChoice.EMAIL: _("by email"),
    ChannelChoice.BOTH: _("by notification and email"),
}


def reminder_history(patient: Patient) -> list[Notification]:
    """The patient's own reminders, reply and request notices, newest first. One query."""
    return list(
        Notification.objects.filter(patient=patient, kind__in=PATIENT_KINDS)
        .exclude(state=Notification.State.CANCELLED)
        .order_by("-created_at", "-pk")[:HISTORY_LENGTH]
    )


@dataclass(frozen=True)
class DeliveryStatus:
    """What a clinician sees of one patient's reminders."""

    settings: ReminderSettings | None
    last_delivered: dt.datetime | None
    failing_since: dt.datetime | None
    in_care: bool = True  # no reminder is sent once care has ended, whatever the settings
    zone: str = ""  # the patient's time zone, when it is not the clinic's (their times are in it)

    @property
    def reminders_on(self) -> bool:
        return self.settings is not None and self.settings.enabled and self.in_care

    @property
    def stopped_by_discharge(self) -> bool:
        """Turned on, but the patient's care has ended: none is sent."""
        return self.settings is not None and self.settings.enabled and not self.in_care

    @property
    def times(self) -> str:
        """The reminder times, "08:00 · 19:30"."""
        if self.settings is None:
            return ""
        return " · ".join(at.strftime("%H:%M") for _slot, at in self.settings.slot_times())

    @property
    def channel(self) -> str:
        if self.settings is None:
            return ""
        return str(CHANNEL_WORDS[ChannelChoice(self.settings.channel)])


def _failing_deliveries(now: dt.datetime) -> Exists:
    """For a patient (``OuterRef("pk")``): a reminder or reply notice that failed at least
    ``FAILING_FOR`` ago with none delivered since."""
    delivered_after = Notification.objects.filter(
        patient=OuterRef("patient"),
        kind__in=PATIENT_KINDS,
        state=Notification.State.SENT,
        finished_at__gt=OuterRef("created_at"),
    )
    return Exists(
        Notification.objects.filter(
            patient=OuterRef("pk"),
            kind__in=PATIENT_KINDS,
            state__in=NOT_DELIVERED,
            created_at__lte=now - FAILING_FOR,
        ).exclude(Exists(delivered_after))
    )


RECENT_FOR_STATUS = 60  # a month of two reminders a day: enough to see three days of failure


def delivery_status(patient: Patient, *, now: dt.datetime | None = None) -> DeliveryStatus:
    """Reminders on or off, the last delivery, and since when deliveries fail (if for three
    days). One query, two when the patient has settings (without, nothing was ever sent)."""
    now = now or timezone.now()
    settings_row = ReminderSettings.objects.filter(patient=patient).first()
    if settings_row is None:
        return DeliveryStatus(settings=None, last_delivered=None, failing_since=None)
    recent = list(
        Notification.objects.filter(patient=patient, kind__in=PATIENT_KINDS)
        .exclude(state__in=(Notification.State.CANCELLED, Notification.State.QUEUED))
        .order_by("-created_at", "-pk")
        .values_list("state", "created_at", "finished_at")[:RECENT_FOR_STATUS]
    )
    last = next((finished for state, _c, finished in recent if state == "sent"), None)
    failures = [
        created
        for state, created, _f in recent
        if state in NOT_DELIVERED and (last is None or created > last)
    ]
    failing_since = min(failures) if failures else None
    if failing_since is not None and now - failing_since < FAILING_FOR:
        failing_since = None
    return DeliveryStatus(
        settings=settings_row,
        last_delivered=last,
        failing_since=failing_since,
        in_care=patient.status == Patient.Status.ACTIVE,
        zone=patient.timezone if patient.timezone != patient.clinic.timezone else "",
    )


@dataclass(frozen=True)
class DashboardFlags:
    failing: list[Patient]
    paused: list[Patient]
    undelivered_alerts: int


def dashboard_flags(clinic: Clinic, *, now: dt.datetime | None = None) -> DashboardFlags:
    """Active patients whose plan is paused, or who want reminders or notices that have not
    arrived for three days; and alert notifications of the last day that could not be
    delivered. Two queries, whatever the number of patients."""
    now = now or timezone.now()
    # Wants something: no settings saved (request notices are on by default), or one on.
    wants = (
        Q(reminder_settings__isnull=True)
        | Q(reminder_settings__enabled=True)
        | ~Q(reminder_settings__replies="off")
        | ~Q(reminder_settings__requests="off")
    )
    # The clinic's paused plans, read once (as a per-patient EXISTS, PostgreSQL scanned
    # every plan of every clinic for it).
    paused = Plan.objects.filter(patient__clinic=clinic, status=PLAN_PAUSED).values("patient_id")
    flagged = list(
        Patient.objects.filter(clinic=clinic, status=Patient.Status.ACTIVE)
        .annotate(
            paused=Q(pk__in=paused),
            failing=Q(wants) & _failing_deliveries(now),
        )
        .filter(Q(paused=True) | Q(failing=True))
        .order_by("last_name", "first_name", "pk")
    )
    undelivered = Notification.objects.filter(
        patient__clinic=clinic,
        kind__in=(Notification.Kind.ALERT, Notification.Kind.ESCALATION),
        state=Notification.State.FAILED,
        created_at__gte=now - dt.timedelta(days=1),
    ).count()
    return DashboardFlags(
        failing=[p for p in flagged if p.failing],
        paused=[p for p in flagged if p.paused],
        undelivered_alerts=undelivered,
    )


@dataclass(frozen=True)
class OutOfHours:
    """What a patient who reports a problem while the clinic is closed is told."""

    clinic: Clinic
    reopens_at: dt.datetime | None  # in the clinic's time zone

    @property
    def out_of_hours_phone(self) -> str:
        return self.clinic.out_of_hours_phone

    @property
    def emergency_number(self) -> str:
        """The clinic's, else the neutral "your local emergency number"."""
        return self.clinic.emergency_number or str(_("your local emergency number"))


def out_of_hours(clinic: Clinic, *, now: dt.datetime | None = None) -> OutOfHours | None:
    """None while the clinic is open; else when it opens again and whom to call meanwhile."""
    now = now or timezone.now()
    if hours.is_open(clinic, now):
        return None
    reopens = hours.next_opening(clinic, now)
    return OutOfHours(
        clinic=clinic,
        reopens_at=timezone.localtime(reopens, hours.tz_of(clinic)) if reopens else None,
    )
