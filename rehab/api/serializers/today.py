"""The patient's day as the API answers it (``/api/v1/me/today/``): the live prescriptions of
the phase in force with today's logs, and a red flag's advice as the Today page shows it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehab.api.serializers.base import DISCLAIMER
from rehab.api.serializers.logbook import ExerciseLogSerializer, RedFlagSerializer
from rehab.api.serializers.plans import (
    PlanBriefSerializer,
    PlanPhaseBriefSerializer,
    PrescriptionSerializer,
)


class TodayItemSerializer(serializers.Serializer[Any]):
    """A live prescription of the phase in force (``rehab.selectors.today.TodayItem``): an
    exercise to do, or advice to read (``advice``)."""

    prescription = PrescriptionSerializer(read_only=True)
    advice = serializers.BooleanField(
        read_only=True,
        help_text="Advice to read (an education item: keep the boot on at night, the signs of "
        "a blood clot), not an exercise: never due, no session expected, nothing to tick (a "
        "log of it is refused), counted in no adherence. Show its text apart, after the "
        "exercises, without a dose: its `dose_text` reads `Advice to read`.",
    )
    due = serializers.BooleanField(
        read_only=True, help_text="False on the exercise's rest days, and always for advice."
    )
    sessions_done = serializers.IntegerField(read_only=True)
    sessions_expected = serializers.IntegerField(
        read_only=True, help_text="Sessions to do today: 0 on a rest day and for advice."
    )
    done = serializers.BooleanField(
        read_only=True, help_text="Today's sessions are all done; always false for advice."
    )
    logs = ExerciseLogSerializer(many=True, read_only=True, help_text="Today's logs.")


class HoldSerializer(serializers.Serializer[Any]):
    """A red flag's advice, as the Today page shows it (``rehab.selectors.notices.HoldNotice``):
    the patient's words only, never a clinician's note or a source."""

    kind = serializers.ChoiceField(
        choices=[("paused", "paused"), ("waiting", "waiting"), ("reviewed", "reviewed")],
        read_only=True,
        help_text="`paused`: a red flag paused the plan until a clinician has reviewed it. "
        "`waiting`: with no plan in care to pause (none yet, a draft, or care has ended), red "
        "flags wait for a clinician's review. `reviewed`: a clinician reviewed what was "
        "reported and resumed the plan lately (exercise may start again).",
    )
    title = serializers.CharField(
        read_only=True, allow_null=True, help_text="The heading to show; null once reviewed."
    )
    message = serializers.CharField(read_only=True, help_text="What to do, to be shown first.")
    red_flags = RedFlagSerializer(
        many=True,
        read_only=True,
        help_text="Each red flag waiting for review: its advice, and what to do when the "
        "clinic is closed (empty once reviewed).",
    )
    reported_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="`reviewed`: when the red flags reviewed were reported; else null.",
    )
    clinic_phone = serializers.SerializerMethodField(
        help_text="The clinic's phone number to call (empty if the clinic gave none)."
    )
    out_of_hours_phone = serializers.SerializerMethodField(
        help_text="When the clinic is closed: the out-of-hours service's number (empty: "
        "contact your out-of-hours service or go to an emergency department)."
    )
    emergency_number = serializers.SerializerMethodField(
        help_text="Breathless, chest pain or coughing blood: call this number now (empty: the "
        "local emergency number)."
    )

    def get_clinic_phone(self, notice: Any) -> str:
        return str(self.context["patient"].clinic.phone)

    def get_out_of_hours_phone(self, notice: Any) -> str:
        return str(self.context["patient"].clinic.out_of_hours_phone)

    def get_emergency_number(self, notice: Any) -> str:
        return str(self.context["patient"].clinic.emergency_number)


class TodaySerializer(serializers.Serializer[Any]):
    day = serializers.DateField(read_only=True, help_text="The patient's today.")
    week = serializers.IntegerField(read_only=True, allow_null=True)
    plan = PlanBriefSerializer(read_only=True, allow_null=True)
    phase = PlanPhaseBriefSerializer(read_only=True, allow_null=True)
    items = TodayItemSerializer(many=True, read_only=True)
    paused = serializers.BooleanField(
        read_only=True,
        help_text="A red flag paused the plan: nothing may be ticked until a clinician has "
        "reviewed it and resumed the plan.",
    )
    can_log = serializers.BooleanField(
        read_only=True,
        help_text="Whether the patient may tick today (in care, and the plan is not paused).",
    )
    hold = serializers.SerializerMethodField(
        help_text="A red flag's advice, as the Today page shows it (paused, waiting for a "
        "clinician's review, or reviewed lately); null when there is none. Show it before "
        "the exercises."
    )
    disclaimer = serializers.SerializerMethodField()

    @extend_schema_field(HoldSerializer(allow_null=True))
    def get_hold(self, today: Any) -> Any:
        """The view's ``context["hold"]`` (``rehab.selectors.notices.hold_notice``)."""
        notice = self.context.get("hold")
        if notice is None:
            return None
        context = {**self.context, "patient": today.patient}
        return HoldSerializer(notice, context=context).data

    def get_disclaimer(self, today: Any) -> str:
        return str(DISCLAIMER)
