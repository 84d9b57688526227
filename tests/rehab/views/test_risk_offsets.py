"""The clinic's risk-factor offsets page (rehab.views.risk_offsets), a section of the clinic's
settings: its clinic admins only; a raise that would leave exercises early asks first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent
from clinic.models import Clinic, Clinician, Patient, TeamEvent
from rehab import risk
from rehab.models import Alert, RiskOffsets
from tests import factories
from tests.conftest import assert_login_redirect, client_for
from tests.rehab.clinical_loop import week3_non_operative

pytestmark = pytest.mark.django_db

URL = reverse("rehab:risk_offsets")


def _form(**weeks: int) -> dict[str, Any]:
    """The page's form as shipped, with ``weeks``."""
    return risk.SHIPPED | weeks


def _offsets(clinic: Clinic) -> dict[str, int]:
    return risk.clinic_offsets(Clinic.objects.get(pk=clinic.pk))


def test_the_page_shows_each_modifier_with_its_default_and_caution(admin: Clinician) -> None:
    response = client_for(admin.user).get(URL)
    assert response.status_code == 200
    html = response.text
    for modifier in risk.RISK_MODIFIERS:
        # A labelled input for each, with its shipped default and caution.
        assert f'<label for="id_{modifier.code}" class="form-label">' in html
        assert f'name="{modifier.code}" value="{modifier.default_weeks}"' in html
        assert str(modifier.caution) in html
    assert "Shipped default: +2 weeks (local default, no published figure)" in html
    assert "Shipped default: +0 weeks (local default, no published figure)" in html
    assert "Re-rupture or revision surgery: weeks added" in html
    # The clinic's settings page leads here.
    settings_page = client_for(admin.user).get(reverse("clinic:clinic_settings")).text
    assert f'href="{URL}"' in settings_page


def test_a_clinic_admin_sets_the_offsets(admin: Clinician) -> None:
    client = client_for(admin.user)
    response = client.post(URL, _form(rerupture_or_revision=3, smoking=1), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "The risk-factor offsets are saved." in response.text
    assert _offsets(admin.clinic) == risk.SHIPPED | {"rerupture_or_revision": 3, "smoking": 1}
    assert 'name="rerupture_or_revision" value="3"' in response.text
    event = TeamEvent.objects.get(clinic=admin.clinic)
    assert event.actor == admin.user
    assert "Re-rupture or revision surgery +2 → +3 weeks" in event.detail
    # It shows in the team's history, with the clinic's other settings changes.
    team = client.get(reverse("clinic:team")).text
    assert "Risk-factor offsets: Re-rupture or revision surgery +2 → +3 weeks" in team


@pytest.mark.parametrize("value", ["13", "-1", "1.5", ""])
def test_bad_weeks_are_refused_and_nothing_changes(admin: Clinician, value: str) -> None:
    response = client_for(admin.user).post(URL, _form() | {"diabetes": value})
    assert response.status_code == 400
    assert "Not saved: please correct the fields marked below." in response.text
    assert not RiskOffsets.objects.exists()


def test_a_raise_lists_the_plans_it_makes_early_and_saves_once_confirmed(
    clinician: Clinician, admin: Clinician
) -> None:
    scene = week3_non_operative(clinician, risk_diabetes=True)
    client = client_for(admin.user)
    response = client.post(URL, _form(diabetes=2))
    assert response.status_code == 200
    html = response.text
    assert "Not saved yet: please confirm" in html
    assert scene.patient.full_name in html
    assert reverse("rehab:plan_builder", args=[scene.plan.pk]) in html
    assert "Two-leg bike (not before week 8; the patient will be in week 6)" in html
    assert f'name="confirmed" value="{scene.week6_rx.pk}"' in html
    assert 'name="diabetes" value="2"' in html  # the values as given
    assert _offsets(admin.clinic)["diabetes"] == 0  # nothing saved
    # The page named the patient: the audit trail records it.
    assert AccessEvent.objects.filter(patient=scene.patient, what="rehab:risk_offsets").exists()
    response = client.post(
        URL, _form(diabetes=2) | {"confirmed": [str(scene.week6_rx.pk)]}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "The physiotherapist of 1 patient is alerted." in response.text
    assert _offsets(admin.clinic)["diabetes"] == 2
    [alert] = Alert.objects.filter(kind=Alert.Kind.EARLY_EXERCISE)
    assert alert.patient == scene.patient
    # The builder shows the exercise as early, waiting for a reason.
    builder = client_for(clinician.user).get(
        reverse("rehab:plan_builder", args=[scene.plan.pk]) + "?open=all"
    )
    assert "Two-leg bike is usually not started before week 8 for this patient" in builder.text
    assert "Moved later by: Diabetes: +2 weeks" in builder.text


def test_lowering_is_saved_at_once(clinician: Clinician, admin: Clinician) -> None:
    week3_non_operative(clinician, risk_rerupture_or_revision=True)
    response = client_for(admin.user).post(URL, _form(rerupture_or_revision=0))
    assert response.status_code == 302
    assert _offsets(admin.clinic)["rerupture_or_revision"] == 0


def test_a_colleague_who_is_not_clinic_admin_cannot_see_or_change_them(
    clinician: Clinician, colleague: Clinician
) -> None:
    for who in (clinician, colleague):
        assert client_for(who.user).get(URL).status_code == 404
        assert client_for(who.user).post(URL, _form(diabetes=4)).status_code == 404
    assert not RiskOffsets.objects.exists()


def test_each_clinic_admin_sets_their_own_clinics(
    admin: Clinician, other_clinician: Clinician
) -> None:
    other_admin = factories.ClinicAdminFactory.create(clinic=other_clinician.clinic)
    client_for(admin.user).post(URL, _form(diabetes=4))
    # The other clinic's page shows its own offsets, and its save changes only its own.
    assert 'name="diabetes" value="0"' in client_for(other_admin.user).get(URL).text
    client_for(other_admin.user).post(URL, _form(smoking=5))
    assert _offsets(admin.clinic)["diabetes"] == 4
    assert _offsets(admin.clinic)["smoking"] == 0
    assert _offsets(other_clinician.clinic) == risk.SHIPPED | {"smoking": 5}


def test_a_patient_or_staff_gets_404_and_anonymous_is_sent_to_sign_in(
    patient: Patient, staff: Any
) -> None:
    for user in (patient.user, staff):
        assert client_for(user).get(URL).status_code == 404
        assert client_for(user).post(URL, _form(diabetes=4)).status_code == 404
    assert_login_redirect(Client().get(URL), URL)
    assert Client().post(URL, _form(diabetes=4)).status_code == 302
    assert not RiskOffsets.objects.exists()


def test_the_confirmation_reads_the_same_whatever_the_number_of_plans(
    clinician: Clinician, admin: Clinician, django_assert_max_num_queries: Any
) -> None:
    """1 session, 2 user with clinician and clinic, 3 the clinic's offsets, 4-6 the plans in
    care with patients, their phases and prescriptions, 7-8 the navigation's counts, 9 the
    audit record naming the patients listed."""
    client = client_for(admin.user)
    client.get(URL)  # warm the session
    for plans in (1, 10):
        while len(Patient.objects.filter(plans__isnull=False)) < plans:
            week3_non_operative(clinician, risk_diabetes=True)
        with django_assert_max_num_queries(9):
            response = client.post(URL, _form(diabetes=2))
        assert response.text.count('name="confirmed"') == plans


def test_the_exercises_a_raise_makes_early_are_listed_without_a_space_before_each_semicolon(
    clinician: Clinician, admin: Clinician
) -> None:
    scene = week3_non_operative(clinician, risk_diabetes=True)
    html = client_for(admin.user).post(URL, _form(diabetes=8)).text
    start = html.index(reverse("rehab:plan_builder", args=[scene.plan.pk]))
    item = " ".join(html[start : html.index("</li>", start)].split())
    assert item.count("the patient will be in week") >= 2  # more than one exercise
    assert ") ;" not in item
    assert "); " in item


def test_the_browser_title_names_the_page_once(admin: Clinician) -> None:
    """The title block added the page's title to base.html's, which already names it."""
    response = client_for(admin.user).get(URL)
    title = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert title is not None
    assert " ".join(title.group(1).split()) == f"{response.context['title']} – {settings.SITE_NAME}"
