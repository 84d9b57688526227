"""The printed handout's look (issue 18): each exercise's category icon, and a print style
sheet that fits A4 and Letter and keeps the red-flag box with the last exercise."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from clinic.models import Clinician, Patient
from core.ids import opaque
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_handout_shows_each_exercises_category_icon_and_the_red_flag_box(
    clinician: Clinician, patient: Patient
) -> None:
    plan, (phase,) = factories.active_plan(patient)
    factories.PrescriptionFactory(phase=phase, exercise__category="balance")
    html = client_for(clinician.user).get(reverse("rehab:plan_handout", args=[plan.pk])).text
    assert 'class="rehab-icon rehab-icon-balance"' in html
    assert "<svg" in html
    assert "Call emergency services now" in html
    assert 'href="/static/css/handout.css"' in html


def test_the_handout_print_sheet_fits_a4_and_letter_and_never_leaves_the_footer_alone() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "handout.css").read_text()
    assert "size: auto;" in css  # the printer's paper: A4 or Letter
    footer = css[css.index(".handout-footer {") :]
    assert "break-before: avoid-page;" in footer.split("}")[0]


def test_a_phase_that_is_not_an_id_is_not_found(clinician: Clinician, patient: Patient) -> None:
    plan, (phase,) = factories.active_plan(patient)
    url = reverse("rehab:plan_handout", args=[plan.pk])
    client = client_for(clinician.user)
    assert client.get(url, {"phase": opaque(phase.pk)}).status_code == 200
    # "²".isdigit() is true, int() refuses it; the row's number is no opaque id.
    for value in ("²", "１２", "abc", "9" * 40, str(phase.pk), opaque(phase.pk) + "\x00"):
        assert client.get(url, {"phase": value}).status_code == 404, value


def test_an_exercises_equipment_is_listed_without_a_space_before_each_comma(
    clinician: Clinician, patient: Patient
) -> None:
    # "Kitchen counter or worktop , Sturdy chair": the handout, the library and an exercise's
    # page and the patient's Today wrote a space before each comma (the name and its comma on separate template lines).
    plan, (phase,) = factories.active_plan(patient)
    rx = factories.PrescriptionFactory(phase=phase)
    rx.exercise.equipment.add(
        factories.EquipmentFactory(name="Kitchen counter", slug="counter"),
        factories.EquipmentFactory(name="Sturdy chair", slug="chair"),
    )
    client = client_for(clinician.user)
    for url in (
        reverse("rehab:plan_handout", args=[plan.pk]),
        reverse("rehab:library"),
        reverse("rehab:library_detail", args=[rx.exercise.pk]),
    ):
        text = " ".join(client.get(url).text.split())
        assert "Kitchen counter , Sturdy chair" not in text, url
        assert "Kitchen counter, Sturdy chair" in text, url
    # The patient's own exercise card on Today.
    text = " ".join(client_for(patient.user).get(reverse("rehab:today")).text.split())
    assert "Kitchen counter , Sturdy chair" not in text
    assert "</span> Kitchen counter, Sturdy chair </p>" in text
