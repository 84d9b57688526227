"""A clinic's own templates (issue 21, item 5): saved from a plan, edited as versions, the
guardrails without exceptions, plans keeping their copy; and their pages' access."""

from __future__ import annotations

import contextlib
import threading
import uuid
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from core.resubmit import RESUBMIT_WINDOW
from rehab.models import Plan, Protocol
from rehab.selectors import history
from rehab.services import plans as plan_services
from rehab.services import protocols as services
from tests import factories
from tests.conftest import client_for
from tests.threads import in_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: Clinician, patient: Patient) -> Plan:
    plan = plan_services.plan_draft(
        protocol=None, patient=patient, created_by=clinician.user, name="Robin's plan"
    )[0]
    first = factories.PlanPhaseFactory(plan=plan, order=1, name="Early", start_week=0, end_week=6)
    later = factories.PlanPhaseFactory(plan=plan, order=2, name="Later", start_week=6, end_week=12)
    factories.PrescriptionFactory(phase=first, note="Slowly, Robin", sets=2, reps=8)
    factories.PrescriptionFactory(
        phase=later, exercise=factories.ExerciseFactory(earliest_week_operative=6)
    )
    factories.PrescriptionFactory(
        phase=first,
        exercise=factories.ExerciseFactory(name="Early stretch", earliest_week_operative=8),
        guardrail_reason="Dancer, cleared by surgeon",
    )
    return plan


def test_a_plan_becomes_a_template_without_the_patients_data(
    plan: Plan, clinician: Clinician
) -> None:
    with pytest.raises(ValidationError, match="Early stretch"):
        services.protocol_from_plan(plan=plan, name="Our repair", created_by=clinician.user)
    protocol = services.protocol_from_plan(
        plan=plan, name="Our repair", created_by=clinician.user, leave_out_early=True
    )
    assert (protocol.clinic, protocol.pathway, protocol.version) == (
        clinician.clinic,
        plan.pathway,
        "1",
    )
    phases = list(protocol.phases.order_by("order"))
    assert [p.name for p in phases] == ["Early", "Later"]
    items = list(phases[0].items.all())
    assert [(i.sets, i.reps, i.note) for i in items] == [(2, 8, "Slowly, Robin")]
    assert "Early stretch" not in [i.exercise.name for p in phases for i in p.items.all()]
    assert plan.patient.last_name not in protocol.source


def test_a_new_version_leaves_plans_with_their_copy(
    plan: Plan, clinician: Clinician, other_patient: Patient
) -> None:
    v1 = services.protocol_from_plan(
        plan=plan, name="Our repair", created_by=clinician.user, leave_out_early=True
    )
    made = plan_services.plan_from_protocol(patient=other_patient, protocol=v1, created_by=None)
    draft = services.template_draft(protocol=v1, created_by=clinician.user)
    assert services.template_draft(protocol=v1, created_by=None) == draft  # one draft
    item = draft.phases.get(order=1).items.get()
    services.template_item_update(
        item=item,
        sets=4,
        reps=12,
        hold_seconds=None,
        times_per_day=1,
        days_per_week=7,
        side="injured",
        note="",
    )
    with pytest.raises(ValidationError, match="Only a draft"):
        services.template_item_update(item=v1.phases.get(order=1).items.get(), sets=5, reps=5)
    v2 = services.template_publish(draft=draft)
    v1.refresh_from_db()
    assert (v2.version, v2.is_published, v1.is_published) == ("2", True, False)
    assert v1.superseded_at is not None
    assert v1.phases.get(order=1).items.get().sets == 2  # the old version as it was
    assert made.protocol == v1
    assert made.phases.get(order=1).prescriptions.get().sets == 2  # the plan's own copy
    builder_page = (
        client_for(clinician.user)
        .get(reverse("rehab:plan_create", args=[other_patient.pk]))
        .content.decode()
    )
    assert "(version 2)" in builder_page
    assert "(version 1)" not in builder_page


def test_a_template_follows_the_guardrails(clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    factories.ProtocolPhaseFactory(protocol=protocol, start_week=8, end_week=12)
    draft = services.template_draft(protocol=protocol, created_by=None)
    phase = draft.phases.get()
    late = factories.ExerciseFactory(name="Single-leg heel raise", earliest_week_operative=12)
    with pytest.raises(ValidationError, match="Single-leg heel raise in Phase"):
        services.template_item_add(phase=phase, exercise=late)
    fine = factories.ExerciseFactory(earliest_week_operative=8)
    services.template_item_add(phase=phase, exercise=fine)
    with pytest.raises(ValidationError, match="earliest safe week"):
        services.template_phase_update(phase=phase, start_week=4)
    phase.refresh_from_db()
    assert phase.start_week == 8


def test_a_template_holds_shared_exercises_and_its_clinics_own_never_another_clinics(
    clinician: Clinician,
) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    factories.ProtocolPhaseFactory(protocol=protocol, start_week=0, end_week=4)
    draft = services.template_draft(protocol=protocol, created_by=None)
    phase = draft.phases.get()
    other = factories.ExerciseFactory(name="Their balance", clinic=factories.ClinicFactory())
    with pytest.raises(ValidationError, match="Their balance is another clinic's own exercise"):
        services.template_item_add(phase=phase, exercise=other)
    services.template_item_add(phase=phase, exercise=factories.ExerciseFactory(clinic=None))
    services.template_item_add(
        phase=phase, exercise=factories.ExerciseFactory(clinic=clinician.clinic)
    )
    assert phase.items.count() == 2


def test_shared_templates_are_not_edited_here(clinician: Clinician) -> None:
    shared = factories.ProtocolFactory()
    with pytest.raises(ValidationError, match="site staff"):
        services.template_draft(protocol=shared, created_by=None)
    response = client_for(clinician.user).post(reverse("rehab:template_edit", args=[shared.pk]))
    assert response.status_code == 404


def test_the_pages_work_for_the_clinic_and_404_for_another(
    clinician: Clinician, colleague: Clinician, other_clinician: Clinician, plan: Plan
) -> None:
    response = client_for(clinician.user).post(
        reverse("rehab:plan_save_as_template", args=[plan.pk]),
        {"name": "Saved from Robin", "leave_out_early": "on"},
    )
    protocol = Protocol.objects.get(name="Saved from Robin")
    assert response["Location"] == reverse("rehab:template_detail", args=[protocol.pk])
    colleague_client = client_for(colleague.user)
    assert colleague_client.get(response["Location"]).status_code == 200
    edit = colleague_client.post(reverse("rehab:template_edit", args=[protocol.pk]))
    draft = Protocol.objects.get(lineage=protocol.lineage, is_draft=True)
    assert edit["Location"] == reverse("rehab:template_detail", args=[draft.pk])
    outsider = client_for(other_clinician.user)
    for url in (
        reverse("rehab:template_detail", args=[protocol.pk]),
        reverse("rehab:template_detail", args=[draft.pk]),
        reverse("rehab:plan_save_as_template", args=[plan.pk]),
    ):
        assert outsider.get(url).status_code == 404
    assert outsider.post(reverse("rehab:template_publish", args=[draft.pk])).status_code == 404
    assert client_for(plan.patient.user).get(reverse("rehab:template_list")).status_code == 404


# The "save as a template" page's queries: 1 session, 2 user with their clinician record and
# clinic, 3 the plan (with the template it was made from), 4 the live prescriptions of all its
# phases with their phases and exercises (those placed early are listed), 5 the names of the
# templates in the clinic's list (the name proposed is free), 6 +1 audit event, 7-8 the
# navigation's counts of open alerts and of unread messages (rehab_desk). However many phases
# and exercises.
SAVE_AS_TEMPLATE_QUERIES = 8


def test_the_save_as_template_page_lists_early_exercises_in_a_constant_number_of_queries(
    clinician: Clinician, plan: Plan, django_assert_num_queries: Any
) -> None:
    client = client_for(clinician.user)
    url = reverse("rehab:plan_save_as_template", args=[plan.pk])
    last = factories.PlanPhaseFactory(plan=plan, order=3, name="Last", start_week=12, end_week=20)
    factories.PrescriptionFactory(
        phase=last,
        exercise=factories.ExerciseFactory(name="Early hop", earliest_week_operative=24),
        guardrail_reason="Cleared early",
    )
    factories.PrescriptionFactory(phase=last)
    with django_assert_num_queries(SAVE_AS_TEMPLATE_QUERIES):
        page = client.get(url).content.decode()
    # In the plan's order: the first phase's, then the last's.
    assert page.index("Early stretch") < page.index("Early hop")


def test_the_history_of_a_template_is_for_its_clinic_admin(
    clinician: Clinician, plan: Plan
) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    protocol = services.protocol_from_plan(
        plan=plan, name="Ours", created_by=clinician.user, leave_out_early=True
    )
    draft = services.template_draft(protocol=protocol, created_by=clinician.user)
    services.template_update(draft=draft, name="Ours, revised")
    url = reverse("rehab:template_history", args=[protocol.pk])
    assert client_for(clinician.user).get(url).status_code == 404
    page = client_for(admin.user).get(url).content.decode()
    assert "Ours, revised" in page
    assert "Version 2" in page


def test_a_dose_changed_in_a_new_version_shows_in_the_history_with_what_changed(
    clinician: Clinician, plan: Plan
) -> None:
    protocol = services.protocol_from_plan(
        plan=plan, name="Ours", created_by=clinician.user, leave_out_early=True
    )
    draft = services.template_draft(protocol=protocol, created_by=clinician.user)
    item = draft.phases.order_by("order").first().items.order_by("order").first()
    sets = item.sets
    services.template_item_update(item=item, note=item.note, sets=sets + 1)

    [changed] = [c for c in history.template_changes(draft) if c.what == "Changed"]
    assert [(f.label, f.old, f.new) for f in changed.fields] == [("sets", str(sets), str(sets + 1))]


def test_a_plan_saved_as_a_template_twice_makes_one(plan: Plan, clinician: Clinician) -> None:
    client = client_for(clinician.user)
    form = {"name": "Saved from Robin", "leave_out_early": "on"}
    url = reverse("rehab:plan_save_as_template", args=[plan.pk])
    first = client.post(url, form)
    again = client.post(url, form)  # a double click
    protocol = Protocol.objects.get(name="Saved from Robin")
    assert first["Location"] == again["Location"]
    assert first["Location"] == reverse("rehab:template_detail", args=[protocol.pk])
    # Saved again later, on purpose: a second template needs a name of its own (two of the same
    # name could not be told apart in the clinic's list).
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 2):
        refused = client.post(url, form)
        assert refused.status_code == 400
        assert Protocol.objects.filter(name="Saved from Robin").count() == 1
        client.post(url, {**form, "name": "Saved from Robin, again"})
    assert Protocol.objects.filter(name__startswith="Saved from Robin").count() == 2


def test_the_same_page_saved_again_later_returns_its_template(
    plan: Plan, clinician: Clinician
) -> None:
    """A retry after the resubmit window carries the page's id: it finds the template that id
    saved instead of refusing its (now taken) name or adding a second."""
    page = uuid.uuid4()
    first = services.protocol_from_plan(
        plan=plan, name="Saved", created_by=clinician.user, leave_out_early=True, client_uuid=page
    )
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 10):
        again = services.protocol_from_plan(
            plan=plan,
            name="Saved",
            created_by=clinician.user,
            leave_out_early=True,
            client_uuid=page,
        )
    assert again.pk == first.pk
    assert Protocol.objects.filter(clinic=clinician.clinic).count() == 1


def test_two_pages_save_two_templates(plan: Plan, clinician: Clinician) -> None:
    for name in ("One", "Two"):
        services.protocol_from_plan(
            plan=plan,
            name=name,
            created_by=clinician.user,
            leave_out_early=True,
            client_uuid=uuid.uuid4(),
        )
    assert Protocol.objects.filter(clinic=clinician.clinic).count() == 2


@pytest.mark.parametrize("whose", ["other_clinic", "other_clinician"])
def test_a_page_id_of_another_template_is_refused(
    plan: Plan, clinician: Clinician, whose: str
) -> None:
    theirs = factories.ProtocolFactory(
        name="Their template",
        clinic=clinician.clinic if whose == "other_clinician" else factories.ClinicFactory(),
        client_uuid=uuid.uuid4(),
    )
    with pytest.raises(ValidationError) as refused:
        services.protocol_from_plan(
            plan=plan,
            name="Mine",
            created_by=clinician.user,
            leave_out_early=True,
            client_uuid=theirs.client_uuid,
        )
    assert refused.value.error_dict["client_uuid"][0].code == "client_uuid_in_use"
    assert "Their template" not in str(refused.value)
    assert not Protocol.objects.filter(name="Mine").exists()


def test_a_phase_or_an_exercise_sent_twice_is_added_once(clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    draft = services.template_draft(protocol=protocol, created_by=None)
    fields = {"name": "Strength", "start_week": 6, "end_week": 12}
    phase = services.template_phase_add(draft=draft, **fields)
    assert services.template_phase_add(draft=draft, **fields) == phase
    other = services.template_phase_add(draft=draft, **{**fields, "name": "Return to run"})
    assert [p.name for p in draft.phases.order_by("order")] == ["Strength", "Return to run"]
    exercise = factories.ExerciseFactory(earliest_week_operative=0)
    item = services.template_item_add(phase=phase, exercise=exercise)
    assert services.template_item_add(phase=phase, exercise=exercise) == item
    assert phase.items.count() == 1
    # Another dose, or another phase, is another item.
    services.template_item_add(phase=phase, exercise=exercise, sets=5)
    services.template_item_add(phase=other, exercise=exercise)
    assert (phase.items.count(), other.items.count()) == (2, 1)


def test_a_phase_sent_twice_through_the_page_is_added_once(clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    draft = services.template_draft(protocol=protocol, created_by=None)
    client = client_for(clinician.user)
    form = {
        "new-phase-name": "Strength",
        "new-phase-start_week": "6",
        "new-phase-end_week": "12",
    }
    url = reverse("rehab:template_phase_add", args=[draft.pk])
    first = client.post(url, form)
    again = client.post(url, form)
    assert first.status_code == again.status_code
    assert list(draft.phases.values_list("name", flat=True)) == ["Strength"]


def test_save_as_template_from_another_plan_with_the_same_name_is_not_the_first_template() -> None:
    clinician = factories.ClinicianFactory.create()
    a = factories.PatientFactory.create(clinic=clinician.clinic)
    b = factories.PatientFactory.create(clinic=clinician.clinic)
    plan_a, _ = factories.active_plan(a)
    plan_b, _phases_b = factories.active_plan(b, phases=2)
    first = services.protocol_from_plan(plan=plan_a, name="Achilles", created_by=clinician.user)
    # Not plan A's template again (1 phase, not 2): the name is refused, as another template's.
    with pytest.raises(ValidationError, match="already called"):
        services.protocol_from_plan(plan=plan_b, name="Achilles", created_by=clinician.user)
    second = services.protocol_from_plan(plan=plan_b, name="Achilles B", created_by=clinician.user)
    assert second.pk != first.pk, "plan B's template is plan A's (1 phase, not 2)"
    assert second.phases.count() == 2


def test_the_same_exercise_added_again_later_is_another_item(clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic)
    draft = services.template_draft(protocol=protocol, created_by=None)
    phase = services.template_phase_add(draft=draft, name="Strength", start_week=6, end_week=12)
    exercise = factories.ExerciseFactory(earliest_week_operative=0)
    first = services.template_item_add(phase=phase, exercise=exercise)
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 2):
        again = services.template_item_add(phase=phase, exercise=exercise)
        same_phase = services.template_phase_add(
            draft=draft, name="Strength", start_week=6, end_week=12
        )
    assert again.pk != first.pk  # on purpose, minutes later
    assert same_phase.pk != phase.pk
    assert phase.items.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_edit_clicked_twice_at_once_makes_one_draft_and_no_error() -> None:
    """A double click on a template's "Edit": both requests looked for the template's draft,
    found none and each made one; the second's INSERT failed on the one-draft-per-template
    constraint (an IntegrityError, a 500). The template's versions are locked first now: the
    second waits, then finds and returns the first's draft."""
    clinic = factories.ClinicFactory()
    protocol = factories.ProtocolFactory(clinic=clinic, is_published=True)
    barrier = threading.Barrier(2, timeout=2)
    original = Protocol.full_clean

    def checked_then_wait(self: Protocol, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        # Both have looked for a draft before either saves (with a lock, one waits instead).
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    def edit() -> int:
        return services.template_draft(protocol=protocol, created_by=None).pk

    with mock.patch.object(Protocol, "full_clean", checked_then_wait):
        first, second = in_threads(edit, edit)

    assert first == second
    assert Protocol.objects.filter(lineage=protocol.lineage, is_draft=True).count() == 1
