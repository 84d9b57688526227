"""clinic.forms: the patient form mirrors the model's rules, the filters fall back safely."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from clinic.forms import MessageForm, PatientFilterForm, PatientForm
from clinic.models import Clinician
from tests import factories


def form_data(**overrides: Any) -> dict[str, Any]:
    return factories.patient_form_data(**overrides)


def test_valid(clinician: Clinician) -> None:
    form = PatientForm(form_data(), clinic=clinician.clinic)
    assert form.is_valid(), form.errors


def test_non_operative_without_surgery_date_is_valid(clinician: Clinician) -> None:
    form = PatientForm(form_data(pathway="non_operative", surgery_date=""), clinic=clinician.clinic)
    assert form.is_valid(), form.errors


def test_default_timezone_is_london(clinician: Clinician) -> None:
    form = PatientForm(clinic=clinician.clinic)
    assert form["timezone"].initial == "Europe/London"
    assert ("Europe/London", "Europe/London") in form.fields["timezone"].choices


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"surgery_date": ""}, "surgery_date", "An operative patient needs a surgery date."),
        (
            {"surgery_date": "2000-01-01", "injury_date": "2000-01-05"},
            "surgery_date",
            "The surgery date cannot be before the injury date.",
        ),
        (
            {"pathway": "non_operative"},
            "surgery_date",
            "Leave the surgery date empty for a non-operative patient.",
        ),
        (
            {"injury_date": "2999-01-01", "surgery_date": ""},
            "injury_date",
            "The injury date cannot be in the future.",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone", "“Mars/Olympus” is not a time zone we know."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"injured_side": "both"}, "injured_side", "Select a valid choice."),
        ({"first_name": ""}, "first_name", "This field is required."),
    ],
)
def test_invalid_input_errors_on_the_right_field(
    clinician: Clinician, overrides: dict[str, Any], field: str, message: str
) -> None:
    form = PatientForm(form_data(**overrides), clinic=clinician.clinic)
    assert not form.is_valid()
    assert field in form.errors
    errors = form.errors[field]
    assert any(message in error for error in errors), errors
    assert len(errors) == len(set(errors)), "no message shown twice"
    assert not form.non_field_errors()


def test_future_injury_date_uses_the_patients_time_zone(clinician: Clinician) -> None:
    # 23:30 UTC on 1 March is already 2 March in Auckland (UTC+13).
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)):
        data = form_data(injury_date="2026-03-02", surgery_date="", pathway="non_operative")
        auckland = PatientForm({**data, "timezone": "Pacific/Auckland"}, clinic=clinician.clinic)
        london = PatientForm(data, clinic=clinician.clinic)
        assert auckland.is_valid(), auckland.errors
        assert not london.is_valid()


def test_email_is_normalised(clinician: Clinician) -> None:
    form = PatientForm(form_data(email=" ADA@Example.org "), clinic=clinician.clinic)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "ada@example.org"


def test_filter_defaults_to_active_patients() -> None:
    assert PatientFilterForm({}).filters() == {
        "q": "",
        "pathway": "",
        "status": "active",
        "has_open_alerts": False,
    }


def test_filter_all_statuses_and_bad_input() -> None:
    assert PatientFilterForm({"status": "all"}).filters()["status"] == ""
    assert PatientFilterForm({"status": "nonsense"}).filters()["status"] == "active"
    filters = PatientFilterForm(
        {"q": " ada ", "pathway": "operative", "has_open_alerts": "on"}
    ).filters()
    assert filters == {
        "q": "ada",
        "pathway": "operative",
        "status": "active",
        "has_open_alerts": True,
    }


def test_message_form() -> None:
    assert MessageForm({"body": "Hello"}).is_valid()
    assert not MessageForm({"body": "   "}).is_valid()
    assert not MessageForm({"body": "x" * 4001}).is_valid()


def test_the_therapist_list_offers_only_colleagues_who_have_joined(
    clinician: Clinician, invited: Clinician
) -> None:
    deactivated = factories.ClinicianFactory(clinic=clinician.clinic, user__is_active=False)
    form = PatientForm(clinic=clinician.clinic)
    offered = set(form.fields["therapist"].queryset)
    assert clinician in offered
    assert invited not in offered
    assert deactivated not in offered


def test_an_invited_colleague_is_refused_in_words(clinician: Clinician, invited: Clinician) -> None:
    form = PatientForm(form_data(therapist=invited.pk), clinic=clinician.clinic)
    assert not form.is_valid()
    assert form.errors["therapist"] == [
        (
            "Choose a colleague who has joined the team and can sign in: someone still invited, "
            "or deactivated, cannot see the patients."
        )
    ]


def test_the_patients_own_therapist_stays_offered_while_they_have_not_joined(
    clinician: Clinician, invited: Clinician
) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic, therapist=invited)
    form = PatientForm(instance=patient, clinic=clinician.clinic)
    assert invited in set(form.fields["therapist"].queryset)
