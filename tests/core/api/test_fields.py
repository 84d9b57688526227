"""Fields take only the JSON type their schema states: a number is not a string, ``false`` is
not a UUID, ``"5"`` is not an integer, ``"yes"`` is not a boolean."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers

from core.api import fields
from core.api.serializers import ModelSerializer
from core.ids import opaque
from rehab.models import Exercise
from tests.api.conftest import World, body


class Sample(serializers.Serializer[Any]):
    text = fields.CharField(required=False)
    email = fields.EmailField(required=False)
    client_uuid = fields.UUIDField(required=False)
    number = fields.IntegerField(required=False)
    flag = fields.BooleanField(required=False)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("text", 0),
        ("text", 1.5),
        ("text", True),
        ("email", 7),
        ("client_uuid", False),
        ("client_uuid", 0),
        ("client_uuid", 2**100),
        ("client_uuid", ["0" * 32]),
        ("number", "5"),
        ("number", 5.0),
        ("number", True),
        ("flag", "true"),
        ("flag", 1),
    ],
)
def test_a_value_of_another_json_type_is_invalid(name: str, value: Any) -> None:
    serializer = Sample(data={name: value})
    assert not serializer.is_valid()
    assert serializer.errors[name][0].code == "invalid"


def test_values_of_the_stated_type_pass() -> None:
    key = uuid.uuid4()
    data = {"text": "0", "email": "a@example.org", "client_uuid": str(key), "number": 5}
    serializer = Sample(data={**data, "flag": False})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {**data, "client_uuid": key, "flag": False}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (["band\x00"], "null_characters_not_allowed"),
        (["\x00"], "null_characters_not_allowed"),
        ([5], "invalid"),
    ],
)
def test_a_slug_naming_a_row_is_a_string_without_nul(value: Any, code: str) -> None:
    """Refused before the look-up (no query): PostgreSQL refuses NUL in text (a 500)."""
    from rehab.models import Equipment  # noqa: PLC0415

    class Named(serializers.Serializer[Any]):
        equipment = fields.SlugRelatedField(
            many=True, slug_field="slug", queryset=Equipment.objects.all()
        )

    serializer = Named(data={"equipment": value})
    assert not serializer.is_valid()
    assert serializer.errors["equipment"][0].code == code


def test_model_serializers_make_strict_fields_from_the_model() -> None:
    from clinic.models import Patient  # noqa: PLC0415

    class PatientInput(ModelSerializer[Patient]):
        class Meta:
            model = Patient
            fields = ["first_name", "email", "date_of_birth"]

    made = PatientInput().fields
    assert isinstance(made["first_name"], fields.CharField)
    assert isinstance(made["email"], fields.EmailField)


# --- Through the API -------------------------------------------------------------------------

CREATES: dict[str, tuple[str, dict[str, Any]]] = {
    "/api/v1/checkins/": ("patient", {"pain_at_rest": 1, "swelling": "none"}),
    "/api/v1/atrs/": ("patient", {f"item_{n}": 5 for n in range(1, 11)}),
}


@pytest.mark.parametrize("url", list(CREATES))
@pytest.mark.parametrize("client_uuid", [False, True, 0, 12345])
def test_client_uuid_takes_only_a_uuid_string(world: World, url: str, client_uuid: Any) -> None:
    who, data = CREATES[url]
    response = world.client(who).post(url, {**data, "client_uuid": client_uuid}, format="json")
    assert response.status_code == 400
    assert "client_uuid" in body(response)


def test_two_patients_sending_false_do_not_share_an_id(world: World) -> None:
    """``false`` was the all-zero UUID: the second patient got "this id is already in use"."""
    data = {"pain_at_rest": 1, "swelling": "none", "client_uuid": False}
    first = world.client("patient").post("/api/v1/checkins/", data, format="json")
    second = world.client("other_patient").post("/api/v1/checkins/", data, format="json")
    assert first.status_code == second.status_code == 400
    assert body(second)["client_uuid"] == ["Must be a valid UUID."]


def test_a_log_and_a_measurement_take_only_a_uuid_string(world: World) -> None:
    log = world.client("patient").post(
        "/api/v1/logs/",
        {"prescription": opaque(world.prescription.pk), "client_uuid": False},
        format="json",
    )
    measurement = world.client("clinician").post(
        "/api/v1/measurements/",
        {"patient": opaque(world.patient.pk), "client_uuid": 0, "heel_rise_reps_injured": 5},
        format="json",
    )
    assert log.status_code == measurement.status_code == 400
    assert "client_uuid" in body(log)
    assert "client_uuid" in body(measurement)


def test_strings_are_not_numbers_and_numbers_are_not_strings(world: World) -> None:
    message = world.client("patient").post("/api/v1/messages/", {"body": 0}, format="json")
    assert message.status_code == 400
    assert body(message)["body"] == ["Not a valid string."]
    patient = world.client("clinician").patch(
        f"/api/v1/patients/{opaque(world.patient.pk)}/", {"first_name": 12}, format="json"
    )
    assert patient.status_code == 400
    assert "first_name" in body(patient)
    checkin = world.client("patient").post(
        "/api/v1/checkins/",
        {"client_uuid": str(uuid.uuid4()), "pain_at_rest": "3", "swelling": "none"},
        format="json",
    )
    assert checkin.status_code == 400
    assert "pain_at_rest" in body(checkin)


class Calf(serializers.Serializer[Any]):
    cm = fields.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)


@pytest.mark.parametrize("value", [35.5, 35, "", " 35.5", "3.55e1", "+35", "٣٥", "35.", "NaN"])
def test_a_decimal_is_digits_and_a_point_in_a_string(value: Any) -> None:
    serializer = Calf(data={"cm": value})
    assert not serializer.is_valid()
    assert serializer.errors["cm"][0].code == "invalid"


def test_a_decimal_string_or_null_passes() -> None:
    for value, expected in [("35.5", Decimal("35.5")), ("-2", Decimal(-2)), (None, None)]:
        serializer = Calf(data={"cm": value})
        assert serializer.is_valid(), serializer.errors
        assert serializer.validated_data["cm"] == expected


# --- Row ids: opaque strings both ways (core.ids) ---------------------------------------------


class Ids(serializers.Serializer[Any]):
    prescription = fields.OpaqueIdField()
    exercise = fields.OpaquePrimaryKeyRelatedField(queryset=Exercise.objects.all())


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (17, "invalid"),
        ("17", "invalid"),
        (None, "null"),
        (True, "invalid"),
        ("a\x00bcdefgh", "invalid"),
        ("x" * 40, "invalid"),
        ([], "invalid"),
    ],
)
def test_an_id_that_is_not_an_opaque_string_is_invalid(value: Any, code: str) -> None:
    serializer = Ids(data={"prescription": value, "exercise": value})
    assert not serializer.is_valid()
    assert serializer.errors["prescription"][0].code == code
    assert serializer.errors["exercise"][0].code == code


def test_an_opaque_id_reads_as_its_row(world: World) -> None:
    serializer = Ids(
        data={"prescription": opaque(world.prescription.pk), "exercise": opaque(world.exercise.pk)}
    )
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {
        "prescription": world.prescription.pk,
        "exercise": world.exercise,
    }
    assert Ids({"prescription": 5, "exercise": world.exercise}).data == {
        "prescription": opaque(5),
        "exercise": opaque(world.exercise.pk),
    }


def test_an_id_of_the_form_that_names_no_row_is_no_row(world: World) -> None:
    """The view's own look-up answers it (``NO_ROW``); a related field: ``does_not_exist``."""
    serializer = Ids(data={"prescription": "aaaaaaaa", "exercise": "aaaaaaaa"})
    assert not serializer.is_valid()
    assert "prescription" not in serializer.errors
    assert serializer.errors["exercise"][0].code == "does_not_exist"
    unknown = Ids(data={"prescription": opaque(10**9), "exercise": opaque(10**9)})
    assert not unknown.is_valid()
    assert unknown.errors["exercise"][0].code == "does_not_exist"
    assert Ids(data={"prescription": "aaaaaaaa"}, partial=True).is_valid()
    assert fields.read_id("aaaaaaaa") == fields.NO_ROW
