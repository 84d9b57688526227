"""Patients: the clinic's clinicians list, register, read, change and discharge them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine

from clinic.models import Patient
from core.ids import from_opaque, opaque
from tests import factories
from tests.api.conftest import World, assert_matrix, body
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES, VISIBLE_NAMES

URL = "/api/v1/patients/"


def payload(**extra: Any) -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ADA@example.org",
        "injured_side": "left",
        "injury_date": "2026-01-10",
        "pathway": "operative",
        "surgery_date": "2026-01-12",
        **extra,
    }


def test_role_matrix(world: World) -> None:
    everyone_else = {"anonymous": 401, "patient": 403, "staff": 403}
    assert_matrix(world, "get", URL, {**everyone_else, "clinician": 200, "other_clinician": 200})
    detail = f"{URL}{opaque(world.patient.pk)}/"
    assert_matrix(
        world,
        "get",
        detail,
        {**everyone_else, "clinician": 200, "colleague": 200, "other_clinician": 404},
    )
    assert_matrix(
        world, "patch", detail, {**everyone_else, "other_clinician": 404}, {"first_name": "X"}
    )
    assert_matrix(world, "post", f"{detail}discharge/", {**everyone_else, "other_clinician": 404})
    assert_matrix(world, "post", URL, {**everyone_else}, payload())
    world.patient.refresh_from_db()
    assert world.patient.status == Patient.Status.ACTIVE
    assert world.patient.first_name != "X"


def test_list_is_the_clinics_with_search_and_filters(world: World) -> None:
    factories.PatientFactory(
        clinic=world.clinician.clinic,
        first_name="Zed",
        last_name="Nonop",
        pathway="non_operative",
        status="discharged",
    )
    client = world.client("clinician")
    data = body(client.get(URL))
    ids = {row["id"] for row in data["results"]}
    assert opaque(world.patient.pk) in ids
    assert opaque(world.stranger.pk) not in ids
    assert data["count"] == 3
    found = body(client.get(URL, {"search": "zed NONOP"}))["results"]
    assert [row["first_name"] for row in found] == ["Zed"]
    assert body(client.get(URL, {"pathway": "non_operative"}))["count"] == 1
    assert body(client.get(URL, {"status": "discharged"}))["count"] == 1
    assert client.get(URL, {"status": "gone"}).status_code == 400


def test_create_in_own_clinic(world: World) -> None:
    response = world.client("clinician").post(URL, payload(), format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    patient = Patient.objects.get(pk=from_opaque(data["id"]))
    assert patient.clinic == world.clinician.clinic
    assert patient.email == "ada@example.org"
    assert data["anchor_date"] == "2026-01-12"
    assert data["status"] == "active"
    assert data["has_account"] is False


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"surgery_date": None}, "surgery_date"),
        ({"surgery_date": "2026-01-01"}, "surgery_date"),
        ({"pathway": "non_operative"}, "surgery_date"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"injured_side": "both"}, "injured_side"),
        ({"injury_date": "yesterday"}, "injury_date"),
        ({"first_name": ""}, "first_name"),
        ({"email": "x"}, "email"),
        ({"status": "discharged", "first_name": "x" * 101}, "first_name"),
        ({"status": "discharged"}, "status"),
    ],
)
def test_create_bad_input_is_400(world: World, extra: dict, field: str) -> None:
    response = world.client("clinician").post(URL, payload(**extra), format="json")
    assert response.status_code == 400
    assert field in body(response), body(response)


def test_update_and_discharge(world: World) -> None:
    client = world.client("colleague")
    url = f"{URL}{opaque(world.patient.pk)}/"
    response = client.patch(url, {"first_name": "Grace", "timezone": "Europe/Paris"})
    assert response.status_code == 200, response.content
    world.patient.refresh_from_db()
    assert (world.patient.first_name, world.patient.timezone) == ("Grace", "Europe/Paris")
    response = client.patch(url, {"surgery_date": str(world.patient.injury_date - dt.timedelta(1))})
    assert response.status_code == 400
    assert "surgery_date" in body(response)
    response = client.post(f"{url}discharge/")
    assert body(response)["status"] == "discharged"


def test_a_patient_patch_with_a_status_is_refused_not_ignored(world: World) -> None:
    """``status`` is not taken here (the patient is discharged with POST
    /patients/{id}/discharge/). Dropped silently, a client would be told 200 and believe the
    patient discharged, while they stay active and keep getting reminders: it is refused
    (``KnownFieldsOnly``), as are the other keys a PATCH does not take, and nothing changes."""
    client = world.client("clinician")
    url = f"{URL}{opaque(world.patient.pk)}/"
    response = client.patch(url, {"status": "discharged"}, format="json")
    assert response.status_code == 400, response.content[:200]
    assert body(response)["codes"] == {"status": ["unknown_field"]}
    response = client.patch(url, {"first_name": "Grace", "full_name": "G. H."}, format="json")
    assert body(response)["codes"] == {"full_name": ["unknown_field"]}
    world.patient.refresh_from_db()
    assert world.patient.status == Patient.Status.ACTIVE
    assert world.patient.first_name != "Grace"


def test_put_replaces_details(world: World) -> None:
    response = world.client("clinician").put(
        f"{URL}{opaque(world.other_patient.pk)}/", payload(first_name="Mary"), format="json"
    )
    assert response.status_code == 200, response.content
    world.other_patient.refresh_from_db()
    assert world.other_patient.first_name == "Mary"


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"injury_date": "9999-12-31", "surgery_date": "9999-12-31"}, "injury_date", "future_date"),
        (
            {"injury_date": "0001-01-01", "surgery_date": "0001-01-03"},
            "injury_date",
            "injury_too_long_ago",
        ),
        ({"surgery_date": "9999-12-31"}, "surgery_date", "surgery_too_late"),
        ({"date_of_birth": "0001-01-01"}, "date_of_birth", "implausible_date"),
        ({"date_of_birth": "2026-01-11"}, "date_of_birth", "born_after_injury"),
    ],
)
def test_implausible_dates_are_400_with_their_code(
    world: World, extra: dict, field: str, code: str
) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)):
        response = world.client("clinician").post(URL, payload(**extra), format="json")
    assert response.status_code == 400, response.content
    assert code in body(response)["codes"][field]
    assert not Patient.objects.filter(first_name="Ada").exists()


def test_a_time_zone_that_names_no_place_is_a_400_and_changes_nothing(world: World) -> None:
    """``localtime`` (the server's own zone, listed by Debian's tz database) is no patient's
    time zone: refused like any unknown one."""
    url = f"{URL}{opaque(world.patient.pk)}/"
    response = world.client("clinician").patch(url, {"timezone": "localtime"}, format="json")
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {"timezone": ["invalid_timezone"]}
    world.patient.refresh_from_db()
    assert world.patient.timezone != "localtime"


def test_create_is_idempotent_by_client_uuid(world: World) -> None:
    client = world.client("clinician")
    data = payload(client_uuid=str(uuid.uuid4()))
    first = client.post(URL, data, format="json")
    again = client.post(URL, {**data, "first_name": "Changed"}, format="json")
    assert first.status_code == again.status_code == 201
    assert body(first)["id"] == body(again)["id"]
    assert Patient.objects.filter(last_name="Lovelace").count() == 1
    assert "client_uuid" not in body(first)  # written, never shown


def test_the_same_name_and_birth_date_needs_a_confirmation(world: World) -> None:
    client = world.client("clinician")
    born = {"date_of_birth": "1980-12-10"}
    assert client.post(URL, payload(**born), format="json").status_code == 201
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=5)):
        again = client.post(URL, payload(**born, email="other@example.org"), format="json")
        assert again.status_code == 400
        assert body(again)["codes"] == {"non_field_errors": ["possible_duplicate"]}
        confirmed = payload(**born, email="other@example.org", confirm_duplicate=True)
        assert client.post(URL, confirmed, format="json").status_code == 201
    assert Patient.objects.filter(last_name="Lovelace").count() == 2


def test_the_search_ignores_accents(world: World) -> None:
    factories.PatientFactory(
        clinic=world.clinician.clinic, first_name="Lucía", last_name="Castañeda"
    )
    found = body(world.client("clinician").get(URL, {"search": "castaneda"}))["results"]
    assert [row["last_name"] for row in found] == ["Castañeda"]


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_only_invisible_characters_is_a_400_and_nothing_is_stored(
    world: World, field: str, name: str
) -> None:
    client = world.client("clinician")
    before = Patient.objects.count()
    response = client.post(URL, payload(**{field: name}), format="json")
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {field: ["invisible"]}
    assert body(response)[field] == [INVISIBLE_MESSAGE]
    assert Patient.objects.count() == before
    url = f"{URL}{opaque(world.patient.pk)}/"
    response = client.patch(url, {field: name}, format="json")
    assert response.status_code == 400, response.content
    assert body(response)["codes"] == {field: ["invisible"]}
    world.patient.refresh_from_db()
    assert getattr(world.patient, field) != name


@pytest.mark.parametrize("name", VISIBLE_NAMES)
def test_a_name_with_a_visible_letter_is_stored_as_written(world: World, name: str) -> None:
    response = world.client("clinician").post(
        URL, payload(first_name=name, last_name=name), format="json"
    )
    assert response.status_code == 201, response.content
    patient = Patient.objects.get(pk=from_opaque(body(response)["id"]))
    assert (patient.first_name, patient.last_name) == (name, name)
