"""Erasure is final. An erased patient's record stays, anonymised, for the clinic's statistics,
but nobody can act on it any more: not reactivate, discharge or archive it, change its
details or risk factors, invite the patient, write to them, plan for them, ask for an ATRS or
record a measurement. Each is refused with one clear message (``Patient.check_not_erased``),
by the services the pages and the API share; nothing answers 500."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from clinic.models import Clinician, Invitation, Message, Patient
from clinic.services import invitations as invitation_services
from clinic.services import messages as message_services
from clinic.services import patients as patient_services
from core.ids import opaque
from rehab.models import AtrsRequest, Measurement, Plan
from rehab.services import builder as builder_services
from rehab.services import outcomes as outcome_services
from rehab.services import plans as plan_services
from rehab.services import records as record_services
from rehab.services import risk as risk_services
from tests import factories
from tests.api.conftest import token_client
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ERASED = "record was erased"


@pytest.fixture
def erased(admin: Clinician, patient: Patient) -> Patient:
    """The patient, discharged and then erased by a clinic admin of their clinic."""
    patient_services.patient_discharge(patient=patient)
    return record_services.patient_erase(patient=patient, by=admin.user)


def _refused(action: Callable[[], Any]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        action()
    assert caught.value.error_list[0].code == "erased", caught.value
    return caught.value


# --- The record says it was erased --------------------------------------------------------


def test_erasure_marks_the_record_erased(erased: Patient) -> None:
    erased.refresh_from_db()
    assert erased.erased_at is not None
    assert erased.is_erased
    assert erased.status == Patient.Status.ARCHIVED


def test_an_archived_patient_is_not_erased(patient: Patient) -> None:
    patient_services.patient_archive(patient=patient)
    assert not patient.is_erased
    patient_services.patient_reactivate(patient=patient)  # archiving is not final
    assert patient.status == Patient.Status.ACTIVE


def test_the_database_keeps_an_erased_record_archived(erased: Patient) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=erased.pk).update(status=Patient.Status.ACTIVE)


# --- Every service refuses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        patient_services.patient_reactivate,
        patient_services.patient_discharge,
        patient_services.patient_archive,
    ],
)
def test_an_erased_patient_s_status_cannot_change(
    erased: Patient, change: Callable[..., Patient]
) -> None:
    error = _refused(lambda: change(patient=erased))
    assert ERASED in error.messages[0]
    erased.refresh_from_db()
    assert erased.status == Patient.Status.ARCHIVED


def test_an_erased_patient_s_details_cannot_be_filled_in_again(erased: Patient) -> None:
    _refused(
        lambda: patient_services.patient_update(
            patient=erased, first_name="Jo", last_name="Bloggs", email="jo@example.org"
        )
    )
    erased.refresh_from_db()
    assert (erased.first_name, erased.email) == ("Erased", "")


def test_an_erased_patient_cannot_be_invited(erased: Patient, admin: Clinician) -> None:
    # Even with an address on the record (one written before the rule, or by the admin site).
    Patient.objects.filter(pk=erased.pk).update(email="jo@example.org")
    erased.refresh_from_db()
    _refused(lambda: invitation_services.invitation_create(patient=erased, created_by=admin.user))
    assert not Invitation.objects.filter(patient=erased).exists()


def test_no_message_can_be_sent_to_an_erased_patient(erased: Patient, clinician: Clinician) -> None:
    before = Message.objects.filter(patient=erased).count()
    _refused(
        lambda: message_services.message_send(
            patient=erased, author=clinician.user, body="Are you there?", from_patient=False
        )
    )
    assert Message.objects.filter(patient=erased).count() == before


def test_no_plan_can_be_made_for_an_erased_patient(erased: Patient, clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(pathway=erased.pathway)
    factories.ProtocolPhaseFactory(protocol=protocol, order=1, start_week=0, end_week=6)
    _refused(
        lambda: plan_services.plan_draft(protocol=None, patient=erased, created_by=clinician.user)[
            0
        ]
    )
    _refused(
        lambda: plan_services.plan_from_protocol(
            patient=erased, protocol=protocol, created_by=clinician.user
        )
    )
    assert not Plan.objects.filter(patient=erased).exists()


def test_a_draft_plan_of_an_erased_patient_cannot_be_activated(
    admin: Clinician, patient: Patient, clinician: Clinician
) -> None:
    draft = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    factories.PlanPhaseFactory(plan=draft, order=1, start_week=0, end_week=6)
    patient_services.patient_discharge(patient=patient)
    record_services.patient_erase(patient=patient, by=admin.user)
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT  # leaving care completes only a followed plan
    _refused(lambda: plan_services.plan_activate(plan=draft, activated_by=clinician.user))
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


def test_a_draft_plan_of_an_erased_patient_cannot_be_edited(
    admin: Clinician, patient: Patient
) -> None:
    # Nothing identifying can be written into it again (erasure cleared its notes).
    draft = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT, name="Plan")
    patient_services.patient_discharge(patient=patient)
    record_services.patient_erase(patient=patient, by=admin.user)
    _refused(
        lambda: builder_services.plan_rename(
            plan=draft, name="Jo Bloggs's plan", expected_version=None
        )
    )
    draft.refresh_from_db()
    assert draft.name == "Plan"


def test_no_atrs_can_be_requested_of_an_erased_patient(
    erased: Patient, clinician: Clinician
) -> None:
    _refused(
        lambda: outcome_services.atrs_request_create(patient=erased, requested_by=clinician.user)
    )
    assert not AtrsRequest.objects.filter(patient=erased).exists()


def test_no_measurement_can_be_added_to_an_erased_patient(
    erased: Patient, clinician: Clinician
) -> None:
    _refused(
        lambda: outcome_services.measurement_record(
            patient=erased,
            recorded_by=clinician.user,
            client_uuid=uuid.uuid4(),
            date=dt.date.today(),
            heel_rise_reps_injured=10,
        )
    )
    assert not Measurement.objects.filter(patient=erased).exists()


def test_an_erased_patient_s_risk_factors_cannot_change(erased: Patient) -> None:
    values = dict.fromkeys(("risk_diabetes", "risk_smoking"), True)
    full = {
        name: values.get(name, False)
        for name in (
            "risk_rerupture_or_revision",
            "risk_augmentation",
            "risk_insertional_or_anchor",
            "risk_diabetes",
            "risk_corticosteroids",
            "risk_fluoroquinolones",
            "risk_smoking",
        )
    }
    _refused(lambda: risk_services.patient_risk_update(patient=erased, values=full))
    erased.refresh_from_db()
    assert not erased.risk_diabetes


# --- The pages: refused with the message, never a 500 ----------------------------------------


def _said(client: Client, response: Any) -> str:
    """The page's text, following a redirect to where the message is shown."""
    if response.status_code == 302:
        response = client.get(response["Location"])
    return str(response.content.decode())


@pytest.mark.parametrize("name", ["patient_reactivate", "patient_discharge", "patient_archive"])
def test_the_status_buttons_refuse_an_erased_patient(
    erased: Patient, clinician: Clinician, name: str
) -> None:
    client = client_for(clinician.user)
    response = client.post(reverse(f"clinic:{name}", args=[erased.pk]))
    assert response.status_code == 302
    assert ERASED in _said(client, response)
    erased.refresh_from_db()
    assert erased.status == Patient.Status.ARCHIVED


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("clinic:patient_invite", {}),
        ("rehab:patient_messages", {"body": "Are you there?", "client_uuid": str(uuid.uuid4())}),
        ("rehab:atrs_request", {}),
        (
            "rehab:measurement_create",
            {
                "client_uuid": str(uuid.uuid4()),
                "date": dt.date.today().isoformat(),
                "heel_rise_reps_injured": "10",
            },
        ),
        ("rehab:plan_create", {"template": "", "name": "New plan"}),
        (
            "clinic:patient_edit",
            {
                "first_name": "Jo",
                "last_name": "Bloggs",
                "injured_side": "left",
                "injury_date": "2026-01-10",
                "pathway": "non_operative",
                "timezone": "Europe/London",
            },
        ),
    ],
)
def test_the_pages_refuse_to_act_on_an_erased_patient(
    erased: Patient, clinician: Clinician, url: str, data: dict[str, Any]
) -> None:
    client = client_for(clinician.user)
    response = client.post(reverse(url, args=[erased.pk]), data)
    # Each page answers a refusal as it answers any (a redirect with the message, or the form
    # again with it), never a 500.
    assert response.status_code in (200, 302, 400), response.status_code
    assert ERASED in _said(client, response)
    assert not Invitation.objects.filter(patient=erased).exists()
    assert not Plan.objects.filter(patient=erased).exists()
    assert not AtrsRequest.objects.filter(patient=erased).exists()
    assert not Measurement.objects.filter(patient=erased).exists()
    assert not Message.objects.filter(patient=erased, body="Are you there?").exists()
    erased.refresh_from_db()
    assert erased.first_name == "Erased"


def _erased_page(reader: Clinician, name: str, erased: Patient, **query: str) -> str:
    """The page ``name`` of the erased record as ``reader`` reads it (200), which says the
    record was erased: its HTML."""
    page = client_for(reader.user).get(reverse(name, args=[erased.pk]), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert ERASED in html
    return html


def test_the_patient_page_says_the_record_was_erased_and_offers_no_action(
    erased: Patient, admin: Clinician
) -> None:
    html = _erased_page(admin, "rehab:patient_detail", erased)
    assert reverse("rehab:plan_create", args=[erased.pk]) not in html
    assert reverse("rehab:patient_messages", args=[erased.pk]) not in html
    assert reverse("rehab:patient_erase", args=[erased.pk]) not in html
    outcomes = _erased_page(admin, "rehab:patient_detail", erased, tab="outcomes")
    assert reverse("rehab:atrs_request", args=[erased.pk]) not in outcomes


def test_the_patient_page_says_the_app_account_is_closed(erased: Patient, admin: Clinician) -> None:
    # Erasure disables the patient's sign-in: the page said "App account: Signed up".
    assert erased.user_id is not None
    html = client_for(admin.user).get(reverse("rehab:patient_detail", args=[erased.pk])).text
    account = re.search(r"App account</dt>\s*<dd[^>]*>\s*(.*?)\s*</dd>", html, re.S)
    assert account, "the App account line"
    assert account.group(1) == "Closed when the record was erased"


def test_an_erased_record_is_not_erased_again(erased: Patient, admin: Clinician) -> None:
    _refused(lambda: record_services.patient_erase(patient=erased, by=admin.user))
    client = client_for(admin.user)
    url = reverse("rehab:patient_erase", args=[erased.pk])
    page = client.get(url).content.decode()
    assert ERASED in page
    assert "Discharge the patient first" not in page  # it cannot be discharged
    response = client.post(url, {"confirmation": "ERASE"})
    assert response.status_code == 400
    assert ERASED in response.content.decode()


def test_the_edit_page_offers_no_status_change_or_invitation(
    erased: Patient, clinician: Clinician
) -> None:
    html = _erased_page(clinician, "clinic:patient_edit", erased)
    for name in ("patient_reactivate", "patient_discharge", "patient_invite"):
        assert reverse(f"clinic:{name}", args=[erased.pk]) not in html


def test_the_patient_list_shows_an_erased_record_as_erased_not_archived(
    erased: Patient, clinician: Clinician
) -> None:
    archived = factories.PatientFactory(
        clinic=erased.clinic, last_name="Archived-One", status=Patient.Status.ARCHIVED
    )
    page = client_for(clinician.user).get(reverse("rehab:patient_list"), {"status": "archived"})
    assert page.status_code == 200
    rows = {
        row.patient.pk: row.patient for row in page.context["rows"]
    }  # both are archived records
    assert set(rows) == {erased.pk, archived.pk}
    html = page.content.decode()
    assert html.count(">Erased</span>") == 1
    assert html.count(">Archived</span>") == 1


# --- The API: a 400 with the message ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("patch", "/api/v1/patients/{pk}/", {"first_name": "Jo"}),
        ("post", "/api/v1/patients/{pk}/discharge/", {}),
        ("post", "/api/v1/messages/", {"patient": "{pk}", "body": "Are you there?"}),
        ("post", "/api/v1/plans/", {"patient": "{pk}"}),
        (
            "post",
            "/api/v1/measurements/",
            {"patient": "{pk}", "client_uuid": "{uuid}", "heel_rise_reps_injured": 10},
        ),
    ],
)
def test_the_api_refuses_to_act_on_an_erased_patient(
    erased: Patient, clinician: Clinician, method: str, path: str, data: dict[str, Any]
) -> None:
    filled = {
        key: (
            opaque(erased.pk)
            if value == "{pk}"
            else str(uuid.uuid4())
            if value == "{uuid}"
            else value
        )
        for key, value in data.items()
    }
    client = token_client(clinician.user)
    response = getattr(client, method)(path.format(pk=opaque(erased.pk)), filled, format="json")
    assert response.status_code == 400, response.content
    assert ERASED in response.content.decode()
    erased.refresh_from_db()
    assert (erased.first_name, erased.status) == ("Erased", Patient.Status.ARCHIVED)
