"""Exit criteria on the patient page: evaluated with evidence, judged, added and removed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import Clinician, Patient
from rehab.models import CriterionKind, PlanCriterion
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def gait(patient: Patient) -> PlanCriterion:
    """A criterion the clinician judges, "Gait", in the phase of the patient's active plan."""
    _plan, (phase,) = factories.active_plan(patient)
    return PlanCriterion.objects.create(phase=phase, kind=CriterionKind.CLINICIAN, label="Gait")


def _page(clinician: Clinician, patient: Patient) -> str:
    response = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_patient_page_shows_each_criterion_with_its_state_and_evidence(
    clinician: Clinician, patient: Patient
) -> None:
    _plan, (phase,) = factories.active_plan(patient)
    PlanCriterion.objects.create(
        phase=phase,
        order=1,
        kind=CriterionKind.MEASUREMENT,
        measure="heel_rise_height_lsi",
        threshold=Decimal(90),
        label="5 single-leg heel rises at about 90 % of the other side's height",
    )
    PlanCriterion.objects.create(phase=phase, order=2, kind=CriterionKind.CLINICIAN, label="Gait")
    html = _page(clinician, patient)
    assert "Exit criteria of Stage 0" in html
    assert "Heel-rise height LSI not recorded yet." in html
    # Neither is known yet: the measurement has no data, the clinician has not judged gait
    # (the badge says so in the words of its judgement's choices).
    assert html.count(">No data yet<") == 1
    assert html.count(">Not judged<") == 2  # the badge, and the judgement's chosen option
    assert ">Unknown<" not in html
    assert "ready to progress" not in html
    factories.MeasurementFactory.create(
        patient=patient,
        date=patient.local_today(),
        heel_rise_reps_injured=None,
        heel_rise_reps_uninjured=None,
        heel_rise_height_cm_injured=Decimal(9),
        heel_rise_height_cm_uninjured=Decimal(10),
    )
    gait = PlanCriterion.objects.get(label="Gait")
    client = client_for(clinician.user)
    response = client.post(reverse("rehab:criterion_judge", args=[gait.pk]), {"met": "yes"})
    assert response.status_code == 302
    gait.refresh_from_db()
    assert gait.judged_met is True
    assert gait.judged_by == clinician.user
    html = _page(clinician, patient)
    assert "Heel-rise height LSI 90 % on" in html
    assert "Every criterion is met: the patient is ready to progress." in html


def test_a_measurement_criterion_cannot_be_judged(clinician: Clinician, patient: Patient) -> None:
    _plan, (phase,) = factories.active_plan(patient)
    criterion = PlanCriterion.objects.create(
        phase=phase, kind=CriterionKind.ATRS, threshold=Decimal(60)
    )
    client_for(clinician.user).post(
        reverse("rehab:criterion_judge", args=[criterion.pk]), {"met": "yes"}
    )
    criterion.refresh_from_db()
    assert criterion.judged_met is None


def test_adding_and_removing_a_criterion(
    clinician: Clinician, colleague: Clinician, patient: Patient
) -> None:
    _plan, (phase,) = factories.active_plan(patient)
    client = client_for(colleague.user)
    url = reverse("rehab:criterion_add", args=[phase.pk])
    sent = {"kind": "rest_pain", "threshold": "2", "measure": "", "label": ""}
    response = client.post(url, sent)
    assert response.status_code == 302
    assert client.post(url, sent).status_code == 302  # sent again: still one
    criterion = PlanCriterion.objects.get()
    assert criterion.description == "Pain at rest at most 2 over the last 7 days"
    # Impossible: refused with a message, nothing saved.
    response = client.post(url, {"kind": "adherence", "threshold": "120"}, follow=True)
    assert "between 0 and 100" in response.content.decode()
    response = client.post(url, {"kind": "measurement", "threshold": "90"}, follow=True)
    assert "Choose the measurement" in response.content.decode()
    for kind, said in (("", "This field is required."), ("zzz", "Select a valid choice.")):
        # No kind, or one that does not exist: said on the form shown again, not a 500.
        response = client.post(url, {"kind": kind, "threshold": "5"}, follow=True)
        assert response.status_code == 400
        assert said in response.content.decode()
    assert PlanCriterion.objects.count() == 1
    client.post(reverse("rehab:criterion_remove", args=[criterion.pk]))
    assert not PlanCriterion.objects.exists()


def test_a_refused_criterion_is_shown_again_on_its_form_with_what_was_typed(
    clinician: Clinician, patient: Patient
) -> None:
    """Refused (an impossible threshold, or no kind): the patient page again with the add form
    open, the reason on the form and the label typed kept; not a redirect that drops them."""
    _plan, (phase,) = factories.active_plan(patient)
    url = reverse("rehab:criterion_add", args=[phase.pk])
    client = client_for(clinician.user)
    for sent, said in (
        ({"kind": "adherence", "threshold": "120", "label": "Keeps it up"}, "between 0 and 100"),
        ({"kind": "", "threshold": "5", "label": "Keeps it up"}, "This field is required."),
    ):
        response = client.post(url, sent)
        assert response.status_code == 400
        page = response.content.decode()
        form = page[page.index(f'action="{url}"') :]
        form = form[: form.index("</form>")]
        assert said in form
        assert 'value="Keeps it up"' in form
    assert not PlanCriterion.objects.exists()


def test_others_get_404_and_anonymous_signs_in(
    other_clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    _plan, (phase,) = factories.active_plan(patient)
    criterion = PlanCriterion.objects.create(phase=phase, kind=CriterionKind.CLINICIAN)
    posts = [
        (reverse("rehab:criterion_add", args=[phase.pk]), {"kind": "clinician"}),
        (reverse("rehab:criterion_judge", args=[criterion.pk]), {"met": "yes"}),
        (reverse("rehab:criterion_remove", args=[criterion.pk]), {}),
    ]
    for url, data in posts:
        for user in (other_clinician.user, patient.user, other_patient.user):
            assert client_for(user).post(url, data).status_code == 404
        response = Client().post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    criterion.refresh_from_db()
    assert criterion.judged_met is None
    assert PlanCriterion.objects.count() == 1


def test_a_criterion_judged_met_is_not_removed_with_who_judged_it(
    clinician: Clinician, patient: Patient
) -> None:
    # Who judged it met, and when, is part of the patient's record (the export shows it):
    # removing the criterion must not delete it. Refused, saying why; one not yet judged goes.
    _plan, (phase,) = factories.active_plan(patient)
    met = PlanCriterion.objects.create(phase=phase, kind=CriterionKind.CLINICIAN, label="Hop")
    other = PlanCriterion.objects.create(phase=phase, kind=CriterionKind.CLINICIAN, label="Run")
    client = client_for(clinician.user)
    client.post(reverse("rehab:criterion_judge", args=[met.pk]), {"met": "yes"})

    response = client.post(reverse("rehab:criterion_remove", args=[met.pk]), follow=True)

    met.refresh_from_db()
    assert (met.judged_met, met.judged_by) == (True, clinician.user)
    assert met.judged_at is not None
    html = response.content.decode()
    assert "Exit criterion removed." not in html
    assert "marked met" in html
    client.post(reverse("rehab:criterion_remove", args=[other.pk]))
    assert list(PlanCriterion.objects.all()) == [met]


def test_a_judgement_changed_or_cleared_keeps_the_earlier_ones_in_the_record(
    clinician: Clinician,
    colleague: Clinician,
    admin: Clinician,
    patient: Patient,
    gait: PlanCriterion,
) -> None:
    # Setting a criterion back to "Not judged" (or met to not met) cleared who had judged it
    # met and when: the clinical record lost the judgement. Each judgement is kept now, and the
    # clinic's export holds them all, oldest first: who, when, what.
    url = reverse("rehab:criterion_judge", args=[gait.pk])
    client_for(clinician.user).post(url, {"met": "yes"})
    client_for(colleague.user).post(url, {"met": "no"})
    client_for(colleague.user).post(url, {"met": "clear"})

    gait.refresh_from_db()
    assert (gait.judged_met, gait.judged_by, gait.judged_at) == (None, None, None)
    response = client_for(admin.user).get(reverse("rehab:patient_export_json", args=[patient.pk]))
    (plan,) = response.json()["plans"]
    judgements = plan["criterion_judgements"]
    assert [(j["criterion"], j["criterion_text"], j["met"]) for j in judgements] == [
        (str(gait.pk), "Gait", True),
        (str(gait.pk), "Gait", False),
        (str(gait.pk), "Gait", None),
    ]
    assert [j["by"] for j in judgements] == [
        str(clinician.user.pk),
        str(colleague.user.pk),
        str(colleague.user.pk),
    ]
    assert all(j["at"] for j in judgements)


def test_the_same_judgement_sent_again_is_one_judgement(
    clinician: Clinician, gait: PlanCriterion
) -> None:
    url = reverse("rehab:criterion_judge", args=[gait.pk])
    client = client_for(clinician.user)
    client.post(url, {"met": "yes"})
    gait.refresh_from_db()
    first = gait.judged_at
    client.post(url, {"met": "yes"})  # a retried submit
    gait.refresh_from_db()
    assert gait.judged_at == first
    assert gait.judgements.count() == 1


def test_a_removed_criterion_leaves_its_judgements_in_the_record(
    clinician: Clinician, admin: Clinician, patient: Patient
) -> None:
    _plan, (phase,) = factories.active_plan(patient)
    hop = PlanCriterion.objects.create(phase=phase, kind=CriterionKind.CLINICIAN, label="Hop")
    client = client_for(clinician.user)
    client.post(reverse("rehab:criterion_judge", args=[hop.pk]), {"met": "yes"})
    client.post(reverse("rehab:criterion_judge", args=[hop.pk]), {"met": "clear"})
    client.post(reverse("rehab:criterion_remove", args=[hop.pk]))

    assert not PlanCriterion.objects.filter(pk=hop.pk).exists()
    response = client_for(admin.user).get(reverse("rehab:patient_export_json", args=[patient.pk]))
    (plan,) = response.json()["plans"]
    assert [
        (j["criterion"], j["criterion_text"], j["phase_name"], j["met"])
        for j in plan["criterion_judgements"]
    ] == [
        (None, "Hop", phase.name, True),
        (None, "Hop", phase.name, None),
    ]


def test_the_criterion_line_says_the_earlier_judgement_after_a_change(
    clinician: Clinician, patient: Patient, gait: PlanCriterion
) -> None:
    # Cleared, the line said only "Not judged yet.": that it had been judged met, and when,
    # was gone from the page too. It says the earlier judgement now.
    url = reverse("rehab:criterion_judge", args=[gait.pk])
    client = client_for(clinician.user)
    client.post(url, {"met": "yes"})
    gait.refresh_from_db()
    assert gait.judged_at is not None
    day = f"{gait.judged_at:%-d %b %Y}"
    client.post(url, {"met": "clear"})
    html = " ".join(_page(clinician, patient).split())
    assert f"Not judged now; judged met on {day} before." in html
    client.post(url, {"met": "no"})
    html = " ".join(_page(clinician, patient).split())
    assert f"Judged not met on {day}. Judged met on {day} before." in html
