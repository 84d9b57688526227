"""factory_boy factories for the object graphs tests need."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import factory
from django.utils import timezone

from clinic.models import Clinic, Clinician, Message, Patient, User
from rehab.models import (
    Alert,
    AtrsResponse,
    CheckIn,
    Equipment,
    Exercise,
    ExerciseLog,
    ExerciseMedia,
    Measurement,
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
    PrescriptionMedia,
    Protocol,
    ProtocolItem,
    ProtocolPhase,
)
from rehab.services.logbook import checkins as checkin_services

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ClinicFactory(factory.django.DjangoModelFactory[Clinic]):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    phone = "+44 20 7946 0000"
    email = factory.Sequence(lambda n: f"clinic{n}@example.org")


class ClinicianFactory(factory.django.DjangoModelFactory[Clinician]):
    class Meta:
        model = Clinician

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Clinician.Role.THERAPIST


class ClinicAdminFactory(ClinicianFactory):
    role = Clinician.Role.ADMIN


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    user = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    injured_side = Patient.Side.LEFT
    pathway = Patient.Pathway.OPERATIVE
    injury_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    surgery_date = factory.LazyAttribute(
        lambda o: (
            o.injury_date + dt.timedelta(days=2) if o.pathway == Patient.Pathway.OPERATIVE else None
        )
    )
    timezone = "Europe/London"


class EquipmentFactory(factory.django.DjangoModelFactory[Equipment]):
    class Meta:
        model = Equipment
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Equipment {n}")
    slug = factory.Sequence(lambda n: f"equipment-{n}")


class ExerciseFactory(factory.django.DjangoModelFactory[Exercise]):
    class Meta:
        model = Exercise

    name = factory.Sequence(lambda n: f"Exercise {n}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    category = Exercise.Category.STRENGTH
    summary = "A test exercise (for clinicians)."
    patient_summary = "A test exercise."
    steps = factory.LazyFunction(lambda: ["Stand tall.", "Rise slowly.", "Lower slowly."])
    cues = factory.LazyFunction(lambda: ["Keep the foot straight."])
    safety_notes = factory.LazyFunction(lambda: ["Not before week 8 (a test source)."])
    patient_safety_notes = factory.LazyFunction(lambda: ["Stop at more than mild discomfort."])
    default_sets = 3
    default_reps = 10
    source = "Test source"


class ProtocolFactory(factory.django.DjangoModelFactory[Protocol]):
    class Meta:
        model = Protocol

    name = factory.Sequence(lambda n: f"Protocol {n}")
    slug = factory.Sequence(lambda n: f"protocol-{n}")
    pathway = Patient.Pathway.OPERATIVE
    source = "Test source"


class _PhaseFactory(factory.django.DjangoModelFactory[Any]):
    """What a protocol phase and a plan phase share (``PhaseFields``)."""

    class Meta:
        abstract = True

    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Phase {n}")
    start_week = 0


class _DoseFactory(factory.django.DjangoModelFactory[Any]):
    """What a protocol item and a prescription share: an exercise, its place and its dose."""

    class Meta:
        abstract = True

    exercise = factory.SubFactory(ExerciseFactory)
    order = factory.Sequence(lambda n: n)
    sets = 3
    reps = 10


class ProtocolPhaseFactory(_PhaseFactory):
    class Meta:
        model = ProtocolPhase

    protocol = factory.SubFactory(ProtocolFactory)
    end_week = 2


class ProtocolItemFactory(_DoseFactory):
    class Meta:
        model = ProtocolItem

    phase = factory.SubFactory(ProtocolPhaseFactory)


class PlanFactory(factory.django.DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    patient = factory.SubFactory(PatientFactory)
    name = "Rehabilitation plan"
    pathway = factory.SelfAttribute("patient.pathway")
    anchor_date = factory.LazyAttribute(lambda o: o.patient.anchor_date)
    status = Plan.Status.ACTIVE


class PlanPhaseFactory(_PhaseFactory):
    class Meta:
        model = PlanPhase

    plan = factory.SubFactory(PlanFactory)
    end_week = 52


class PrescriptionFactory(_DoseFactory):
    class Meta:
        model = Prescription

    phase = factory.SubFactory(PlanPhaseFactory)


class ExerciseLogFactory(factory.django.DjangoModelFactory[ExerciseLog]):
    class Meta:
        model = ExerciseLog

    prescription = factory.SubFactory(PrescriptionFactory)
    patient = factory.LazyAttribute(lambda o: o.prescription.phase.plan.patient)
    date = factory.LazyFunction(timezone.localdate)
    sets_done = 3
    sets_prescribed = factory.LazyAttribute(lambda o: o.prescription.sets)
    pain = 2
    effort = 5


class CheckInFactory(factory.django.DjangoModelFactory[CheckIn]):
    class Meta:
        model = CheckIn

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(timezone.localdate)
    pain_at_rest = 2
    swelling = "mild"


class AtrsResponseFactory(factory.django.DjangoModelFactory[AtrsResponse]):
    class Meta:
        model = AtrsResponse

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(timezone.localdate)
    item_1 = 5
    item_2 = 5
    item_3 = 5
    item_4 = 5
    item_5 = 5
    item_6 = 5
    item_7 = 5
    item_8 = 5
    item_9 = 5
    item_10 = 5
    total = 50


class MeasurementFactory(factory.django.DjangoModelFactory[Measurement]):
    class Meta:
        model = Measurement

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(timezone.localdate)
    heel_rise_reps_injured = 8
    heel_rise_reps_uninjured = 20


class AlertFactory(factory.django.DjangoModelFactory[Alert]):
    class Meta:
        model = Alert

    patient = factory.SubFactory(PatientFactory)
    kind = Alert.Kind.HIGH_PAIN
    message = "Pain 8/10 reported."


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    class Meta:
        model = Message

    patient = factory.SubFactory(PatientFactory)
    author = factory.LazyAttribute(lambda o: o.patient.user)
    from_patient = True
    body = "Is it normal that my ankle is swollen in the evening?"


def _photo_bytes() -> bytes:
    from tests.media import jpeg_bytes  # noqa: PLC0415

    return io.BytesIO(jpeg_bytes((40, 30), with_location=False))


class ExerciseMediaFactory(factory.django.DjangoModelFactory[ExerciseMedia]):
    """A photo of an exercise, stored as it would be after its checks (tests/media)."""

    class Meta:
        model = ExerciseMedia

    exercise = factory.SubFactory(ExerciseFactory)
    kind = ExerciseMedia.Kind.PHOTO
    file = factory.django.FileField(from_func=_photo_bytes, filename="photo.jpg")
    thumbnail = factory.django.FileField(from_func=_photo_bytes, filename="thumbnail.jpg")
    content_type = "image/jpeg"
    size = 1000
    width = 40
    height = 30
    description = "Side view"


class PrescriptionMediaFactory(ExerciseMediaFactory):
    class Meta:
        model = PrescriptionMedia
        exclude = ("exercise",)

    prescription = factory.SubFactory(PrescriptionFactory)
    description = "Filmed in the session"


def active_plan(
    patient: Patient,
    *,
    phases: int = 1,
    weeks: int = 4,
    names: Sequence[str] = (),
    current: int = 0,
    changed_on: dt.date | None = None,
    phase: Mapping[str, object] | None = None,
    **plan: object,
) -> tuple[Plan, list[PlanPhase]]:
    """An active plan of ``phases`` phases of ``weeks`` weeks each, named ``names`` (one
    phase each) or "Stage 0", "Stage 1", …, and each given the values ``phase``; the one at
    index ``current`` current since ``changed_on`` (a PhaseChange; the anchor date by
    default)."""
    made_plan = PlanFactory(patient=patient, **plan)
    made = [
        PlanPhaseFactory(
            plan=made_plan,
            order=n,
            start_week=n * weeks,
            end_week=(n + 1) * weeks,
            name=name,
            **(phase or {}),
        )
        for n, name in enumerate(names or [f"Stage {n}" for n in range(phases)])
    ]
    made_plan.current_phase = made[current]
    made_plan.save()
    PhaseChange.objects.create(
        plan=made_plan, to_phase=made[current], effective_on=changed_on or made_plan.anchor_date
    )
    return made_plan, made


def boot_current_plan(
    patient: Patient, *, phase: Mapping[str, object] | None = None, **plan: object
) -> tuple[Plan, list[PlanPhase]]:
    """The active plan "Left Achilles" of three phases of four weeks (Protection, Boot,
    Strength), each given the values ``phase``; Boot current since today."""
    return active_plan(
        patient,
        names=["Protection", "Boot", "Strength"],
        current=1,
        changed_on=timezone.localdate(),
        phase=phase,
        **{"name": "Left Achilles", **plan},
    )


def prescribed(patient: Patient, **prescription: object) -> Prescription:
    """A prescription in the one phase (weeks 0–52) of a new active plan for ``patient``; the
    phase is current, with no phase change recorded."""
    plan = PlanFactory(patient=patient)
    phase = PlanPhaseFactory(plan=plan)
    plan.current_phase = phase
    plan.save()
    return PrescriptionFactory(phase=phase, **prescription)


def grow_plan(patient: Patient, phase: PlanPhase, n: int) -> None:
    """``n`` more exercises in ``phase`` (each with a piece of equipment, a session ticked
    today and one yesterday) and one more phase: for a page's query count as its rows grow."""
    day = patient.local_today()
    for i in range(n):
        rx = PrescriptionFactory(phase=phase, days_per_week=1 + i % 7)
        rx.exercise.equipment.add(EquipmentFactory())
        ExerciseLogFactory(prescription=rx, date=day, sets_done=1)
        ExerciseLogFactory(prescription=rx, date=day - dt.timedelta(days=1))
    PlanPhaseFactory(plan=phase.plan, order=99)


def red_flags_reported(patient: Patient, *flags: str) -> None:
    """The patient's check-in reporting ``flags`` (e.g. "dvt"), through the service: it raises
    the alerts and pauses the plan in care, as a real report does."""
    checkin_services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=3,
        swelling="mild",
        red_flags=list(flags),
    )


def patient_form_data(**overrides: object) -> dict[str, object]:
    """What the patient form (page) posts for a new operative patient, Ada Lovelace."""
    today = timezone.localdate()
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1980-12-10",
        "email": "ada@example.org",
        "injured_side": "right",
        "injury_date": (today - dt.timedelta(days=10)).isoformat(),
        "pathway": "operative",
        "surgery_date": (today - dt.timedelta(days=8)).isoformat(),
        "timezone": "Europe/London",
        **overrides,
    }
