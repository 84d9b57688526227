"""Saving a patient's plan as a clinic template: the name it proposes and the names it refuses.

The clinic's template list shows the shared templates and the clinic's own side by side, so a
template saved under the name of the one the plan was made from looked like a second copy of
it. The page proposes a name no template of the clinic's list has (never the patient's: a
template is shared with the whole clinic) and refuses one that another template has.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.models import Plan, Protocol
from rehab.services import plans as plan_services
from rehab.services import protocols as services
from tests import factories
from tests.conftest import client_for
from tests.names import INVISIBLE_MESSAGE, INVISIBLE_NAMES

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared() -> Protocol:
    protocol = factories.ProtocolFactory(name="Operative – early functional", clinic=None)
    phase = factories.ProtocolPhaseFactory(protocol=protocol, order=1, start_week=0, end_week=6)
    factories.ProtocolItemFactory(
        phase=phase, exercise=factories.ExerciseFactory(earliest_week_operative=0)
    )
    return protocol


@pytest.fixture
def plan(clinician: Clinician, patient: Patient, shared: Protocol) -> Plan:
    return plan_services.plan_from_protocol(
        patient=patient, protocol=shared, created_by=clinician.user
    )


def _proposed(clinician: Clinician, plan: Plan) -> str:
    page = client_for(clinician.user).get(reverse("rehab:plan_save_as_template", args=[plan.pk]))
    assert page.status_code == 200
    return str(page.context["form"]["name"].value())


def test_the_proposed_name_is_not_the_template_the_plan_was_made_from(
    clinician: Clinician, plan: Plan
) -> None:
    assert plan.name == "Operative – early functional"
    assert _proposed(clinician, plan) == "Operative – early functional (copy)"
    # That one taken too (by the clinic's own template): the next free one.
    factories.ProtocolFactory(name="Operative – early functional (COPY)", clinic=clinician.clinic)
    assert _proposed(clinician, plan) == "Operative – early functional (copy 2)"


def test_the_proposed_name_never_names_the_patient(clinician: Clinician, patient: Patient) -> None:
    patient.first_name, patient.last_name = "Robin", "Okafor"
    patient.save()
    blank = plan_services.plan_draft(
        protocol=None, patient=patient, created_by=clinician.user, name="Robin's plan"
    )[0]
    proposed = _proposed(clinician, blank)
    assert "Robin" not in proposed
    assert proposed
    from_template = factories.PlanFactory(
        patient=patient,
        name="Okafor – accelerated",
        protocol=factories.ProtocolFactory(),
        status=Plan.Status.DRAFT,
    )
    proposed = _proposed(clinician, from_template)
    assert "Okafor" not in proposed
    assert proposed == f"{from_template.protocol.name} (copy)"  # a shared template's name
    # A name the clinician gave the plan that does not name the patient is kept.
    renamed = factories.PlanFactory(
        patient=patient, name="Accelerated, for a dancer", status=Plan.Status.DRAFT
    )
    assert _proposed(clinician, renamed) == "Accelerated, for a dancer"


def test_a_name_another_template_has_is_refused_and_what_was_typed_is_kept(
    clinician: Clinician, plan: Plan, shared: Protocol
) -> None:
    own = factories.ProtocolFactory(name="Our repair", clinic=clinician.clinic)
    url = reverse("rehab:plan_save_as_template", args=[plan.pk])
    client = client_for(clinician.user)
    before = Protocol.objects.count()
    for taken in (shared.name, " our REPAIR "):
        response = client.post(url, {"name": taken})
        assert response.status_code == 400
        errors = response.context["form"].errors["name"]
        assert errors == [
            f"Another template is already called “{taken.strip()}”: give this one another name."
        ]
        assert f'value="{taken}"' in response.content.decode()
    assert Protocol.objects.count() == before
    # Another clinic's template of that name is not in this clinic's list.
    factories.ProtocolFactory(name="Their repair", clinic=factories.ClinicFactory())
    response = client.post(url, {"name": "Their repair"})
    assert response.status_code == 302
    assert own.name == "Our repair"


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_only_invisible_characters_is_refused(
    clinician: Clinician, plan: Plan, name: str
) -> None:
    before = Protocol.objects.count()
    response = client_for(clinician.user).post(
        reverse("rehab:plan_save_as_template", args=[plan.pk]), {"name": name}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [INVISIBLE_MESSAGE]
    assert Protocol.objects.count() == before


def test_the_service_refuses_a_taken_name_with_its_own_code(
    clinician: Clinician, plan: Plan
) -> None:
    services.protocol_from_plan(plan=plan, name="Ours", created_by=clinician.user)
    other = factories.PlanFactory(patient=plan.patient, name="Another", status=Plan.Status.DRAFT)
    with pytest.raises(ValidationError) as refused:
        services.protocol_from_plan(plan=other, name="ours", created_by=clinician.user)
    assert refused.value.error_dict["name"][0].code == "name_taken"


def test_a_template_renamed_to_another_templates_name_is_refused(
    clinician: Clinician, shared: Protocol
) -> None:
    own = factories.ProtocolFactory(name="Our repair", clinic=clinician.clinic)
    draft = services.template_draft(protocol=own, created_by=clinician.user)
    with pytest.raises(ValidationError) as refused:
        services.template_update(draft=draft, name=shared.name.upper())
    assert refused.value.error_dict["name"][0].code == "name_taken"
    # Its own name (its current version has it) and a free one are its to keep.
    services.template_update(draft=draft, name="our repair")
    services.template_update(draft=draft, name="Our repair, revised")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_name_is_checked_under_the_clinics_lock_whoever_saves_it(
    clinician: Clinician, shared: Protocol
) -> None:
    """A rename in the template editor checked the name without the lock "Save as template"
    takes (the clinic's row), so a rename and a save of the same name at the same moment could
    both pass. The check itself takes it now: one name check at a time in a clinic."""
    own = factories.ProtocolFactory(name="Our repair", clinic=clinician.clinic)
    draft = services.template_draft(protocol=own, created_by=clinician.user)
    with CaptureQueriesContext(connection) as queries:
        services.template_update(draft=draft, name="Our repair, revised")
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and "clinic_clinic" in q["sql"]]
    assert locks, [q["sql"] for q in queries]


def _page_id(text: str) -> str:
    """The id the page was drawn with (its hidden ``client_uuid``)."""
    found = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', text)
    assert found, "the page carries no client_uuid"
    return found.group(1)


def test_the_same_page_sent_again_minutes_later_saves_one_template(
    clinician: Clinician, plan: Plan
) -> None:
    """A retry after the resubmit window (a slow answer, Back then Save again) goes where the
    first went, instead of refusing the name the first save took."""
    client = client_for(clinician.user)
    url = reverse("rehab:plan_save_as_template", args=[plan.pk])
    form = {"name": "Saved from the plan", "client_uuid": _page_id(client.get(url).text)}
    first = client.post(url, form)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        again = client.post(url, form)
    protocol = Protocol.objects.get(name="Saved from the plan")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert again["Location"] == reverse("rehab:template_detail", args=[protocol.pk])


def test_a_page_id_of_another_clinics_template_is_a_form_error(
    clinician: Clinician, plan: Plan
) -> None:
    theirs = factories.ProtocolFactory(
        name="Their secret template", clinic=factories.ClinicFactory(), client_uuid=uuid.uuid4()
    )
    response = client_for(clinician.user).post(
        reverse("rehab:plan_save_as_template", args=[plan.pk]),
        {"name": "Mine", "client_uuid": str(theirs.client_uuid)},
    )
    assert response.status_code == 400
    assert "This id is already in use" in response.text
    assert "Their secret template" not in response.text
    assert not Protocol.objects.filter(name="Mine").exists()
