"""The days of a patient's plan: exercise logs and check-ins with realistic adherence (each
``Profile`` keeps to the plan its own way), and the alerts a pain score or a red flag raises,
most of the older ones acknowledged."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils.translation import gettext as _

from rehab import clinical
from rehab.management.scale.context import Seeding
from rehab.management.scale.people import PatientInfo
from rehab.management.scale.plans import PlanCopy
from rehab.management.scale.population import (
    LOG_NOTES,
    SWELLING_EARLY,
    SWELLING_LATE,
    Profile,
    clamp,
    random_uuid,
)
from rehab.management.scale.protocols import ItemTemplate
from rehab.models.alerts import Alert
from rehab.models.logbook import CheckIn, ExerciseLog
from rehab.selectors.today import is_due_on


class Logbook:
    """Writes the last ``days`` days of each patient's care (with ``no_today``, none dated
    today: each patient's day not yet begun)."""

    def __init__(self, seeding: Seeding, *, days: int, no_today: bool) -> None:
        self.seeding = seeding
        self.days = days
        self.no_today = no_today
        self._flag_questions = {flag.code: str(flag.question) for flag in clinical.RED_FLAGS}
        self._pain_message = {
            where: {
                pain: _("Pain %(pain)s/10 reported on %(where)s.") % {"pain": pain, "where": where}
                for pain in range(clinical.ALERT_PAIN_THRESHOLD, clinical.SCORE_MAX + 1)
            }
            for where in (_("an exercise log"), _("the daily check-in"))
        }

    def add_days(
        self, rng: random.Random, *, patient: PatientInfo, plan: PlanCopy, profile: str
    ) -> None:
        """The patient's days of logs and check-ins, as ``profile`` keeps to the plan."""
        patient_id, bench, tz_name = patient.pk, patient.bench, patient.tz_name
        today, anchor, end = patient.today, patient.anchor, patient.end
        activated_on, clinician_id = patient.activated_on, patient.clinician_id
        timeline, rx_by_phase = plan.timeline, plan.prescriptions
        p0 = {
            Profile.DILIGENT: rng.uniform(0.85, 0.97),
            Profile.LAPSING: rng.uniform(0.75, 0.9),
            Profile.STOPPED: rng.uniform(0.6, 0.85),
            Profile.SPORADIC: rng.uniform(0.2, 0.45),
        }[profile]
        if bench:
            p0 = 0.97  # the benchmarks' model patient: exercises nearly every day
        tau = rng.uniform(20, 90)
        plan_days = (end - activated_on).days + 1
        stop_day = rng.randint(7, max(8, plan_days)) if profile == Profile.STOPPED else 10**6
        session_p = 0.97 if profile == Profile.DILIGENT else 0.88

        def day_probability(t: int) -> float:
            if t >= stop_day:
                return 0.0
            if profile == Profile.LAPSING:
                return max(0.08, p0 * math.exp(-t / tau))
            return p0

        pain_base = rng.uniform(1.5, 3.5)
        checkin_p = {
            Profile.DILIGENT: 0.85,
            Profile.LAPSING: 0.6,
            Profile.STOPPED: 0.6,
            Profile.SPORADIC: 0.25,
        }[profile]

        first_day = max(activated_on, end - dt.timedelta(days=self.days - 1))
        change_pointer = 0
        days = (end - first_day).days + 1
        if self.no_today and end == today:
            days -= 1  # --no-today: nothing logged or checked in today yet
        for offset in range(days):
            day = first_day + dt.timedelta(days=offset)
            while change_pointer + 1 < len(timeline) and timeline[change_pointer + 1][0] <= day:
                change_pointer += 1
            p_index = timeline[change_pointer][1]
            t = (day - activated_on).days
            week = (day - anchor).days // 7
            pain_mean = max(0.5, pain_base - week * 0.06)
            is_today = day == today
            if rng.random() < day_probability(t):
                self._day_of_logs(
                    rng,
                    patient_id=patient_id,
                    tz_name=tz_name,
                    day=day,
                    anchor=anchor,
                    prescriptions=rx_by_phase[p_index],
                    session_p=session_p,
                    pain_mean=pain_mean,
                    clinician_id=clinician_id,
                    is_today=is_today,
                )
            if rng.random() < checkin_p * (1.0 if t < stop_day else 0.05) and not (
                is_today and self.seeding.now < self.seeding.at(day, tz_name, 20)
            ):
                self._checkin(
                    rng,
                    patient_id=patient_id,
                    tz_name=tz_name,
                    day=day,
                    week=week,
                    pain_mean=pain_mean,
                    clinician_id=clinician_id,
                )

    def _day_of_logs(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        tz_name: str,
        day: dt.date,
        anchor: dt.date,
        prescriptions: list[tuple[int, ItemTemplate]],
        session_p: float,
        pain_mean: float,
        clinician_id: int,
        is_today: bool,
    ) -> None:
        random_ = rng.random
        for rx_id, item in prescriptions:
            if item.advice:  # advice to read has no session to log
                continue
            if item.days_per_week < 7 and not is_due_on(
                days_per_week=item.days_per_week, anchor=anchor, day=day
            ):
                continue
            for session in range(item.times_per_day):
                if random_() >= session_p:
                    continue
                at = self.seeding.at(
                    day, tz_name, 8 + session * 5 + rng.randint(0, 3), rng.randint(0, 59)
                )
                if is_today and at > self.seeding.now:
                    continue
                roll = random_()
                if roll < 0.003:
                    pain: int | None = rng.randint(7, 9)  # a flare
                elif roll < 0.2:
                    pain = None
                else:
                    pain = clamp(pain_mean + rng.gauss(0, 0.8), 0, 6)
                sets = item.sets if random_() < 0.9 else max(1, item.sets - 1)
                note = rng.choice(LOG_NOTES) if random_() < 0.01 else ""
                log_id = self.seeding.ids.take(ExerciseLog)
                self.seeding.tables.log.add(
                    log_id,
                    patient_id,
                    rx_id,
                    day,
                    sets,
                    item.sets,
                    item.reps,
                    item.hold_seconds,
                    pain,
                    rng.randint(3, 7),
                    note,
                    random_uuid(rng),
                    at,
                    at,
                )
                if pain is not None and pain >= clinical.ALERT_PAIN_THRESHOLD:
                    self._alert(
                        rng,
                        patient_id=patient_id,
                        kind=Alert.Kind.HIGH_PAIN,
                        code="",
                        message=self._pain_message[_("an exercise log")][pain],
                        checkin_id=None,
                        log_id=log_id,
                        at=at,
                        clinician_id=clinician_id,
                    )

    def _checkin(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        tz_name: str,
        day: dt.date,
        week: int,
        pain_mean: float,
        clinician_id: int,
    ) -> None:
        roll = rng.random()
        pain = rng.randint(7, 8) if roll < 0.003 else clamp(pain_mean - 1 + rng.gauss(0, 0.8), 0, 5)
        flags = dict.fromkeys(clinical.RED_FLAG_CODES, False)
        if rng.random() < 0.0015:  # red flags are rare
            flags[rng.choice(clinical.RED_FLAG_CODES)] = True
        swelling = rng.choice(SWELLING_EARLY if week < 8 else SWELLING_LATE)
        at = self.seeding.past(
            self.seeding.at(day, tz_name, 20, rng.randint(0, 59))
        )  # not after now
        checkin_id = self.seeding.ids.take(CheckIn)
        self.seeding.tables.checkin.add(
            checkin_id,
            patient_id,
            day,
            pain,
            swelling,
            *flags.values(),
            "",
            random_uuid(rng),
            at,
        )
        for code, raised in flags.items():
            if raised:
                self._alert(
                    rng,
                    patient_id=patient_id,
                    kind=Alert.Kind.RED_FLAG,
                    code=code,
                    message=self._flag_questions[code],
                    checkin_id=checkin_id,
                    log_id=None,
                    at=at,
                    clinician_id=clinician_id,
                )
        if pain >= clinical.ALERT_PAIN_THRESHOLD:
            self._alert(
                rng,
                patient_id=patient_id,
                kind=Alert.Kind.HIGH_PAIN,
                code="",
                message=self._pain_message[_("the daily check-in")][pain],
                checkin_id=checkin_id,
                log_id=None,
                at=at,
                clinician_id=clinician_id,
            )

    def _alert(
        self,
        rng: random.Random,
        *,
        patient_id: int,
        kind: str,
        code: str,
        message: str,
        checkin_id: int | None,
        log_id: int | None,
        at: dt.datetime,
        clinician_id: int,
    ) -> None:
        """Alerts older than two days were mostly acknowledged; newer ones are open."""
        acknowledged_at: dt.datetime | None = None
        if at < self.seeding.now - dt.timedelta(days=2) and rng.random() < 0.95:
            acknowledged_at = at + dt.timedelta(minutes=rng.randint(20, 36 * 60))
        self.seeding.tables.alert.add(
            self.seeding.ids.take(Alert),
            patient_id,
            kind,
            code,
            message,
            checkin_id,
            log_id,
            at,
            acknowledged_at,
            clinician_id if acknowledged_at else None,
        )
