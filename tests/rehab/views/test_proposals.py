"""The dashboard's "ready to progress" proposals: appearing when every exit criterion of the
current phase is met, disappearing when one is not, when dismissed with a note, when the plan
moves on; phases past their planned end listed as overdue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Clinician, Patient
from rehab.models import CriterionKind, Plan, PlanCriterion, PlanPhase, ProposalDismissal
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _ready_patient(clinician: Clinician, **patient: Any) -> tuple[Patient, Plan, list[PlanPhase]]:
    """A patient in the first of two phases, whose one criterion (heel-rise height LSI ≥ 90)
    is met."""
    who = factories.PatientFactory.create(clinic=clinician.clinic, **patient)
    plan, phases = factories.active_plan(who, phases=2, weeks=8)
    PlanCriterion.objects.create(
        phase=phases[0],
        kind=CriterionKind.MEASUREMENT,
        measure="heel_rise_height_lsi",
        threshold=Decimal(90),
    )
    factories.MeasurementFactory.create(
        patient=who,
        date=who.local_today(),
        heel_rise_height_cm_injured=Decimal("9.5"),
        heel_rise_height_cm_uninjured=Decimal(10),
    )
    return who, plan, phases


def _dashboard(clinician: Clinician) -> str:
    response = client_for(clinician.user).get(reverse("rehab:dashboard"))
    assert response.status_code == 200
    return response.content.decode().split('id="proposals"', 1)[1].split("</section>", 1)[0]


def test_the_proposal_appears_when_every_criterion_is_met(clinician: Clinician) -> None:
    patient, plan, _phases = _ready_patient(clinician)
    html = _dashboard(clinician)
    assert patient.full_name in html
    assert "proposed: Stage 1" in html
    assert f'action="{reverse("rehab:plan_advance", args=[plan.pk])}"' in html


def test_no_proposal_while_a_criterion_is_unknown_or_not_met(clinician: Clinician) -> None:
    patient, _plan, phases = _ready_patient(clinician)
    judged = PlanCriterion.objects.create(phase=phases[0], kind=CriterionKind.CLINICIAN)
    assert patient.full_name not in _dashboard(clinician)  # unknown: not judged yet
    judged.judged_met = False
    judged.save()
    assert patient.full_name not in _dashboard(clinician)
    judged.judged_met = True
    judged.save()
    assert patient.full_name in _dashboard(clinician)
    # A newer measurement below the threshold: the proposal goes away.
    factories.MeasurementFactory.create(
        patient=patient,
        date=patient.local_today(),
        heel_rise_height_cm_injured=Decimal(8),
        heel_rise_height_cm_uninjured=Decimal(10),
    )
    assert patient.full_name not in _dashboard(clinician)


def test_the_last_phase_and_a_paused_plan_propose_nothing(clinician: Clinician) -> None:
    patient, plan, phases = _ready_patient(clinician)
    plan.status = Plan.Status.PAUSED
    plan.save()
    assert patient.full_name not in _dashboard(clinician)
    plan.status = Plan.Status.ACTIVE
    plan.current_phase = phases[1]
    plan.save()
    PlanCriterion.objects.create(phase=phases[1], kind=CriterionKind.CLINICIAN, judged_met=True)
    assert patient.full_name not in _dashboard(clinician)


def test_dismissing_needs_a_note_and_hides_the_proposal(
    clinician: Clinician, colleague: Clinician
) -> None:
    patient, _plan, phases = _ready_patient(clinician)
    url = reverse("rehab:proposal_dismiss", args=[phases[0].pk])
    client = client_for(colleague.user)
    response = client.post(url, {"note": "  "}, follow=True)
    assert "Say why the patient is not moving on yet." in response.content.decode()
    assert not ProposalDismissal.objects.exists()
    assert client.post(url, {"note": "Wants to wait for the holiday"}).status_code == 302
    client.post(url, {"note": "again"})  # a retried submit: one row
    dismissal = ProposalDismissal.objects.get()
    assert (dismissal.note, dismissal.dismissed_by) == (
        "Wants to wait for the holiday",
        colleague.user,
    )
    assert patient.full_name not in _dashboard(clinician)


def test_advancing_goes_through_the_guarded_path_and_ends_the_proposal(
    clinician: Clinician,
) -> None:
    patient, plan, phases = _ready_patient(clinician)
    response = client_for(clinician.user).post(
        reverse("rehab:plan_advance", args=[plan.pk]),
        {"version": plan.version, "next": reverse("rehab:dashboard")},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.current_phase_id == phases[1].pk
    assert patient.full_name not in _dashboard(clinician)


def test_overdue_phases_list_what_is_missing(clinician: Clinician) -> None:
    # Injury 30 days ago, surgery 28: the first phase (weeks 0 to 2) ended last week.
    patient = factories.PatientFactory.create(clinic=clinician.clinic)
    _plan, phases = factories.active_plan(patient, phases=2, weeks=2)
    PlanCriterion.objects.create(
        phase=phases[0], kind=CriterionKind.ATRS, threshold=Decimal(50), label="ATRS 50"
    )
    html = _dashboard(clinician)
    overdue = html.split("Overdue", 1)[1]
    assert patient.full_name in overdue
    assert "ATRS 50 (no data yet)" in overdue  # no ATRS answered yet


def test_the_dashboard_keeps_its_query_count_as_patients_grow_10x(
    clinician: Clinician,
) -> None:
    for _ in range(2):
        _ready_patient(clinician)
    client = client_for(clinician.user)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("rehab:dashboard"))
    for _ in range(18):
        patient, _plan, _phases = _ready_patient(clinician)
        factories.CheckInFactory.create(patient=patient, date=patient.local_today())
        factories.AtrsResponseFactory.create(patient=patient, date=patient.local_today())
    with CaptureQueriesContext(connection) as large:
        html = client.get(reverse("rehab:dashboard")).content.decode()
    assert html.count("proposed: Stage 1") == 20
    # Constant: the proposals read plans, criteria, pain, ATRS, measurements, adherence,
    # dismissals and phases once each, whatever the number of patients.
    assert len(large) == len(small)
