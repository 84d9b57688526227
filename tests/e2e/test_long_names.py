"""A name typed as one long word (100 characters, no space) wraps: no heading, list column or
page grows wider than the screen, on a 360 px phone and at a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from clinic.services.messages import message_send
from tests import factories
from tests.e2e.conftest import DESKTOP
from tests.e2e.helpers import patient_with_plan, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LONG = ("Wolfeschlegelsteinhausenbergerdorff" * 3)[:100]  # a name's longest: 100 letters
NARROWEST = {"width": 360, "height": 780}

# Whatever is wider than its box, or the page wider than the window: (element, its width, room).
# A table may scroll sideways on a phone (its columns are many), never at a desktop; and its
# name column is never what makes it wide.
OVERFLOWS = """(desktop) => {
  const found = [];
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth) {
    found.push(["the page", page.scrollWidth, page.clientWidth]);
  }
  for (const el of document.querySelectorAll("h1, h2, h3, th, td, a, p, dd, li")) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"
        && el.clientWidth > 0 && !(el.closest(".table-responsive") && !desktop)) {
      found.push([el.tagName + " " + el.textContent.trim().slice(0, 40), el.scrollWidth,
                  el.clientWidth]);
    }
  }
  for (const table of document.querySelectorAll(".table-responsive")) {
    if (desktop && table.scrollWidth > table.clientWidth + 1) {
      found.push(["a table's columns", table.scrollWidth, table.clientWidth]);
    }
    for (const name of table.querySelectorAll("th[scope=row]")) {
      if (name.offsetWidth > page.clientWidth / 2) {
        found.push(["a table's name column", name.offsetWidth, page.clientWidth / 2]);
      }
    }
  }
  return found;
}"""


def assert_fits(page: Page, where: str) -> None:
    for size in (NARROWEST, DESKTOP):
        page.set_viewport_size(size)
        overflows: list[Any] = page.evaluate(OVERFLOWS, size == DESKTOP)
        assert not overflows, f"{where} at {size['width']} px: {overflows}"


def test_a_very_long_name_wraps_everywhere_the_clinician_sees_it(
    live_server: object, desktop: Page
) -> None:
    scene = patient_with_plan(with_user=True)
    patient = scene.patient
    patient.first_name, patient.last_name = "Hubert", LONG
    patient.save(update_fields=["first_name", "last_name"])
    factories.AlertFactory(patient=patient)
    message_send(patient=patient, author=patient.user, body=f"From {LONG}", from_patient=True)
    page = desktop
    sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)
    for where in (
        reverse("rehab:dashboard"),
        reverse("rehab:patient_list"),
        reverse("rehab:alerts"),
        reverse("rehab:patient_detail", args=[patient.pk]),
        reverse("clinic:patient_edit", args=[patient.pk]),
        reverse("rehab:patient_messages", args=[patient.pk]),
    ):
        page.set_viewport_size(DESKTOP)
        page.goto(f"{live_server}{where}")
        assert_fits(page, where)


def test_a_very_long_name_wraps_on_the_patients_phone(live_server: object, phone: Page) -> None:
    scene = patient_with_plan(with_user=True)
    user = scene.patient.user
    user.set_password(factories.PASSWORD)
    user.full_name = LONG
    user.save()
    scene.patient.first_name = LONG
    scene.patient.save(update_fields=["first_name"])
    sign_in(phone, str(live_server), user.email, factories.PASSWORD)
    for where in (
        reverse("rehab:today"),
        reverse("rehab:my_plan"),
        reverse("rehab:my_messages"),
        reverse("clinic:account"),
    ):
        phone.goto(f"{live_server}{where}")
        assert_fits(phone, where)
