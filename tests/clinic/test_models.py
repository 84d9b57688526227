"""The clinic models' rules, in the model and in the database."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import Clinic, Invitation, Patient, User, hash_token
from clinic.models.clinics import timezone_choices, validate_timezone
from core.validators import validate_visible
from tests import factories
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES

pytestmark = pytest.mark.django_db


def test_user_logs_in_with_email_case_insensitively() -> None:
    user = User.objects.create_user("Ann.Smith@Example.org", "a-long-password-1")
    assert user.email == "ann.smith@example.org"
    assert User.objects.get_by_natural_key("ANN.SMITH@example.org") == user
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANN.SMITH@EXAMPLE.ORG")


def test_create_superuser_sets_flags() -> None:
    admin = User.objects.create_superuser("root@example.org", "a-long-password-1")
    assert admin.is_staff
    assert admin.is_superuser


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param({"surgery_date": None}, "needs a surgery date", id="operative-without-one"),
        pytest.param(
            {"injury_date": dt.date(2026, 5, 10), "surgery_date": dt.date(2026, 5, 1)},
            "before the injury",
            id="before-the-injury",
        ),
        pytest.param(
            {
                "pathway": Patient.Pathway.NON_OPERATIVE,
                "injury_date": dt.date(2026, 5, 1),
                "surgery_date": dt.date(2026, 5, 3),
            },
            "non-operative patient",
            id="non-operative-with-one",
        ),
    ],
)
def test_a_wrong_surgery_date_is_refused_by_clean_and_database(
    values: dict[str, object], message: str
) -> None:
    patient = factories.PatientFactory.build(clinic=factories.ClinicFactory(), user=None, **values)
    with pytest.raises(ValidationError) as excinfo:
        patient.full_clean()
    assert message in str(excinfo.value.message_dict["surgery_date"])
    with pytest.raises(IntegrityError), transaction.atomic():
        patient.save()


def test_surgery_on_the_injury_day_is_allowed() -> None:
    patient = factories.PatientFactory(
        injury_date=dt.date(2026, 5, 1), surgery_date=dt.date(2026, 5, 1)
    )
    patient.full_clean()
    assert patient.anchor_date == dt.date(2026, 5, 1)


def test_anchor_date_is_surgery_else_injury() -> None:
    operative = factories.PatientFactory(
        injury_date=dt.date(2026, 1, 1), surgery_date=dt.date(2026, 1, 5)
    )
    conservative = factories.PatientFactory(
        pathway=Patient.Pathway.NON_OPERATIVE, injury_date=dt.date(2026, 1, 1)
    )
    assert operative.anchor_date == dt.date(2026, 1, 5)
    assert conservative.anchor_date == dt.date(2026, 1, 1)
    assert operative.week_on(dt.date(2026, 1, 18)) == 1


def test_unknown_timezone_is_refused() -> None:
    patient = factories.PatientFactory.build(
        clinic=factories.ClinicFactory(), user=None, timezone="Mars/Olympus_Mons"
    )
    with pytest.raises(ValidationError) as excinfo:
        patient.full_clean()
    assert "timezone" in excinfo.value.message_dict


def test_invitation_usable_only_unused_unrevoked_unexpired() -> None:
    patient = factories.PatientFactory()
    now = timezone.now()
    invitation = Invitation.objects.create(
        patient=patient, token_hash=hash_token("abc"), expires_at=now + dt.timedelta(days=7)
    )
    assert invitation.is_usable(now)
    assert not invitation.is_usable(now + dt.timedelta(days=8))
    invitation.used_at = now
    assert not invitation.is_usable(now)
    assert len(invitation.token_hash) == 64
    assert invitation.token_hash != "abc"


def test_message_body_cannot_be_empty_in_database() -> None:
    patient = factories.PatientFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MessageFactory(patient=patient, body="")


# --- Plausible dates (core.dates) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("injury_date", dt.date(9999, 12, 31), "future_date"),
        ("injury_date", dt.date(1, 1, 1), "injury_too_long_ago"),
        ("date_of_birth", dt.date(9999, 12, 31), "future_date"),
        ("date_of_birth", dt.date(1, 1, 1), "implausible_date"),
        ("surgery_date", dt.date(9999, 12, 31), "surgery_too_late"),
    ],
)
def test_implausible_patient_dates_are_refused_by_clean(
    field: str, value: dt.date, code: str
) -> None:
    patient = factories.PatientFactory.build(clinic=factories.ClinicFactory(), user=None)
    setattr(patient, field, value)
    with pytest.raises(ValidationError) as excinfo:
        patient.full_clean()
    assert code in [error.code for error in excinfo.value.error_dict[field]]


@pytest.mark.parametrize(
    "change",
    [
        {"injury_date": dt.date(1, 1, 1)},
        {"injury_date": dt.date(9999, 12, 31), "surgery_date": dt.date(9999, 12, 31)},
        {"surgery_date": dt.date(9999, 12, 31)},
        {"date_of_birth": dt.date(1, 1, 1)},
        {"date_of_birth": dt.date(2100, 1, 1)},  # in the window, after the injury
    ],
)
def test_the_database_refuses_dates_outside_the_stored_window(change: dict) -> None:
    patient = factories.PatientFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(**change)


def test_an_old_record_stays_valid_as_the_years_pass() -> None:
    """The bounded past counts from the registration: editing a patient registered long ago
    is not refused for their (then recent) injury."""
    patient = Patient.objects.get(pk=factories.PatientFactory().pk)
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 12)):
        patient.first_name = "Ada"
        patient.full_clean()


# --- Search: letter case and accents ignored, on PostgreSQL and SQLite alike ------------------


@pytest.mark.parametrize(
    ("last_name", "typed"),
    [
        ("Castañeda", "castaneda"),
        ("Castaneda", "Castañeda"),
        ("Müller", "MULLER"),
        ("Øster", "oster"),
        ("Straße", "strasse"),
        ("Łukasz-Żółć", "zolc"),
        ("O'Brien", "o'brien"),
    ],
)
def test_a_search_ignores_case_and_accents(last_name: str, typed: str) -> None:
    patient = factories.PatientFactory(first_name="Ana", last_name=last_name)
    factories.PatientFactory(first_name="Someone", last_name="Else")
    assert list(Patient.objects.matching(typed)) == [patient]
    assert list(Patient.objects.matching(f"ana {typed}")) == [patient]  # each word
    assert not Patient.objects.matching(f"{typed} nobody").exists()


def test_a_search_by_email_only_when_asked() -> None:
    patient = factories.PatientFactory(first_name="Zed", last_name="Zed", email="ana@example.org")
    assert not Patient.objects.matching("ana@example").exists()
    assert list(Patient.objects.matching("ana@example", email=True)) == [patient]


def test_like_wildcards_in_a_search_are_plain_characters() -> None:
    factories.PatientFactory(last_name="Smith")
    assert not Patient.objects.matching("%").exists()
    assert not Patient.objects.matching("_mith").exists()


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules"])
def test_a_time_zone_that_names_no_place_is_refused(name: str) -> None:
    """The machine's tz database lists ``localtime`` (on Debian, a link to the server's own
    zone) and ``Factory`` (no zone: "-00"). Neither is a place's time zone: a patient's days
    would follow wherever the server runs, or none."""
    with pytest.raises(ValidationError) as refused:
        validate_timezone(name)
    assert refused.value.code == "invalid_timezone"
    assert name not in dict(timezone_choices())
    validate_timezone("Europe/London")


@pytest.mark.parametrize(
    ("model", "field"),
    [(Patient, "first_name"), (Patient, "last_name"), (User, "full_name"), (Clinic, "name")],
)
def test_the_names_people_read_need_a_visible_character(model: type, field: str) -> None:
    """On the model field: every ModelForm, ModelSerializer, the admin and ``full_clean`` in
    the services check it."""
    assert validate_visible in model._meta.get_field(field).validators


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_patient_named_only_with_invisible_characters_does_not_clean(name: str) -> None:
    patient = factories.PatientFactory.build(last_name=name)
    with pytest.raises(ValidationError) as refused:
        patient.full_clean(exclude=["clinic", "user", "therapist"])
    assert refused.value.message_dict == {"last_name": [INVISIBLE_MESSAGE]}


@pytest.mark.django_db
def test_lock_reads_the_clinic_for_update_or_none() -> None:
    """``Clinic.objects.lock``: the writes that check a clinic's other rows first take its row
    for update (one at a time); an id with no clinic is None."""
    clinic = factories.ClinicFactory.create()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert Clinic.objects.lock(clinic.pk) == clinic
        assert Clinic.objects.lock(clinic.pk + 1000) is None
    if connection.features.has_select_for_update:
        assert all("FOR UPDATE" in q["sql"] for q in captured.captured_queries)
