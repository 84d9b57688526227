"""A name typed as one long word (100 characters, no space) wraps: no heading, list column or
page grows wider than the screen, on a 360 px phone and at a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from clinic.models import Patient
from clinic.services.messages import message_send
from rehab.models import CriterionKind
from rehab.services import criteria as criteria_services
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


# Each word of the cell's text and how many lines it is drawn on (a word split across two
# lines is drawn on two).
WORD_LINES = """(cell) => {
  const text = cell.firstChild;
  const range = document.createRange();
  const found = [];
  const words = text.textContent.matchAll(/\\S+/g);
  for (const word of words) {
    range.setStart(text, word.index);
    range.setEnd(text, word.index + word[0].length);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    found.push([word[0], tops.size]);
  }
  return found;
}"""


def _sign_in_beside_a_long_row(live_server: object, page: Page) -> None:
    """The patient list's tightest usual row (a patient "Conservative, Noah" on the longest
    pathway, in a template's longest phase name), and its clinician signed in."""
    scene = patient_with_plan(with_user=True)
    patient = scene.patient
    patient.first_name, patient.last_name = "Noah", "Conservative"
    patient.pathway = Patient.Pathway.NON_OPERATIVE  # the longest pathway's words
    patient.surgery_date = None
    patient.save(update_fields=["first_name", "last_name", "pathway", "surgery_date"])
    phase = scene.plan.current_phase
    assert phase is not None
    phase.name = "Protected weight-bearing and ankle movement to neutral"  # a template's
    phase.save(update_fields=["name"])
    sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)


def test_a_usual_name_is_not_split_in_the_patient_list(live_server: object, desktop: Page) -> None:
    """A name that fits its column stays whole: the name column may shrink to let a very long
    name wrap, never so far that "Conservative, Noah" reads "Conservativ / e, Noah" beside the
    table's other columns (the patient list at a desktop and at a clinic tablet's width)."""
    _sign_in_beside_a_long_row(live_server, desktop)
    page = desktop
    for size in (DESKTOP, {"width": 1024, "height": 768}):
        page.set_viewport_size(size)
        page.goto(f"{live_server}{reverse('rehab:patient_list')}")
        name = page.get_by_role("link", name="Conservative, Noah")
        words = name.evaluate(WORD_LINES)
        assert words == [["Conservative,", 1], ["Noah", 1]], (size, words)


def test_a_button_label_is_never_split(live_server: object, desktop: Page) -> None:
    """A button's label stays whole where its row is tight: the exit criterion's "Save" beside
    its judgement read "Sa / ve" on the patient page at a desktop (a list item lets long words
    break anywhere, and its buttons inherited that)."""
    scene = patient_with_plan(with_user=True)
    phase = scene.plan.current_phase
    assert phase is not None
    criteria_services.criterion_add(
        phase=phase,
        kind=CriterionKind.CLINICIAN,
        threshold=None,
        label="Walks in the boot with full weight, without crutches",
    )
    page = desktop
    sign_in(page, str(live_server), scene.clinician.user.email, factories.PASSWORD)
    for size in (DESKTOP, {"width": 1024, "height": 768}, NARROWEST):
        page.set_viewport_size(size)
        page.goto(f"{live_server}{reverse('rehab:patient_detail', args=[scene.patient.pk])}")
        save = page.get_by_role("button", name="Save", exact=True)
        assert save.evaluate(WORD_LINES) == [["Save", 1]], size


def test_the_patient_lists_column_headings_are_not_split(
    live_server: object, desktop: Page
) -> None:
    """A column heading of the patient list is a sort link, and a link lets long words break
    anywhere: at a clinic tablet's width "Last activity" read "Last activit / y". Its words
    stay whole (the heading wraps between words)."""
    _sign_in_beside_a_long_row(live_server, desktop)
    page = desktop
    for size in (DESKTOP, {"width": 1024, "height": 768}):
        page.set_viewport_size(size)
        page.goto(f"{live_server}{reverse('rehab:patient_list')}")
        headings = page.locator("a.patient-list-sort")
        assert headings.count() >= 6
        for heading in headings.all():
            words = heading.evaluate(WORD_LINES)
            assert words, size
            assert all(lines == 1 for _word, lines in words), (size, words)
