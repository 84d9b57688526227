"""Web page addresses name rows by their opaque id (core.ids.opaque), never by the row's number:
the path, and the query strings a page reads back (the builder's ?to=, ?edit=, ?open=, the
handout's ?phase=). An integer address, or a string that is no id's, finds nothing (404, never
a 500); and no link, form or htmx address on the main pages shows a row's number."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from core.ids import opaque
from rehab.models import Plan, PlanPhase, Prescription
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    clinician: Clinician
    patient: Patient
    plan: Plan
    phases: list[PlanPhase]
    rx: Prescription  # in the current phase (the second)
    later_rx: Prescription  # in the third phase (collapsed on the builder)


@pytest.fixture
def scene(clinician: Clinician, patient: Patient) -> Scene:
    plan, phases = factories.boot_current_plan(
        patient, anchor_date=timezone.localdate() - dt.timedelta(weeks=5)
    )
    rx = factories.PrescriptionFactory.create(phase=phases[1], order=1, exercise__name="Toe curls")
    later = factories.PrescriptionFactory.create(phase=phases[2], order=1, exercise__name="Hops")
    factories.ExerciseLogFactory.create(prescription=rx, patient=patient)
    factories.AlertFactory.create(patient=patient)
    factories.MessageFactory.create(patient=patient)
    return Scene(clinician, patient, plan, phases, rx, later)


# --- Paths -------------------------------------------------------------------------------------


def test_a_page_answers_at_its_opaque_address_only(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    pk = scene.patient.pk
    url = reverse("rehab:patient_detail", args=[pk])
    assert url == f"/clinic/patients/{opaque(pk)}/"
    assert client.get(url).status_code == 200
    assert client.get(f"/clinic/patients/{pk}/").status_code == 404

    builder = reverse("rehab:plan_builder", args=[scene.plan.pk])
    assert builder == f"/clinic/plans/{opaque(scene.plan.pk)}/"
    assert client.get(builder).status_code == 200
    assert client.get(f"/clinic/plans/{scene.plan.pk}/").status_code == 404


def test_a_write_answers_at_its_opaque_address_only(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    rx = scene.rx
    key = f"rx-{opaque(rx.pk)}"
    data = {
        f"{key}-version": scene.plan.version,
        f"{key}-sets": 4,
        f"{key}-reps": rx.reps or "",
        f"{key}-hold_seconds": rx.hold_seconds or "",
        f"{key}-times_per_day": rx.times_per_day,
        f"{key}-days_per_week": rx.days_per_week,
        f"{key}-side": rx.side,
        f"{key}-note": "",
    }
    assert client.post(f"/clinic/prescriptions/{rx.pk}/edit/", data).status_code == 404
    rx.refresh_from_db()
    assert rx.sets != 4
    response = client.post(reverse("rehab:prescription_edit", args=[rx.pk]), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#{key}")
    rx.refresh_from_db()
    assert rx.sets == 4


@pytest.mark.parametrize(
    "text",
    [
        "AAAAAAAA",  # the converter's shape, no id's string
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",  # as long as the converter takes
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",  # longer: no route at all
        "0000000000",
        "abc",  # too short for the converter
    ],
)
def test_a_garbage_address_is_not_found(scene: Scene, text: str) -> None:
    client = client_for(scene.clinician.user)
    for path in (
        f"/clinic/patients/{text}/",
        f"/clinic/plans/{text}/",
        f"/clinic/plans/{opaque(scene.plan.pk)}/phases/{text}/start/",
        f"/clinic/team/{text}/",
        f"/clinic/library/{text}/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/clinic/prescriptions/{text}/edit/").status_code == 404


def test_a_forged_string_of_the_right_shape_is_not_found(scene: Scene) -> None:
    """A string Sqids would decode, but not the one ``opaque`` gives for that number (another
    case of a letter, say), and the opaque id of a row that does not exist."""
    client = client_for(scene.clinician.user)
    real = opaque(scene.patient.pk)
    forged = real[:-1] + (real[-1].lower() if real[-1].isupper() else real[-1].upper())
    if forged == real:  # a digit at the end
        forged = real[:-1] + ("a" if real[-1] != "a" else "b")
    assert client.get(f"/clinic/patients/{forged}/").status_code == 404
    assert client.get(f"/clinic/patients/{opaque(10**12)}/").status_code == 404


# --- No row numbers in a page's addresses -----------------------------------------------------

ADDRESS = re.compile(r'\s(?:href|action|src|hx-[a-z-]+|data-[a-z-]*url)="([^"]*)"')
SKIPPED = ("/admin/", "/api/", "/static/", "/media/")
# A number as a path segment, or as the value of a query parameter that names a row.
ROW_NUMBER = re.compile(r"/\d+(?:/|$|\?|#)|[?&](?:to|open|phase|edit)=(?:[a-z]+-)?\d+(?:&|#|$)")


def _numbered_addresses(html: str) -> list[str]:
    found = []
    for address in ADDRESS.findall(html):
        if any(part in address for part in SKIPPED) or address.startswith("http"):
            continue
        if ROW_NUMBER.search(address.replace("&amp;", "&")):
            found.append(address)
    return found


def test_the_pattern_sees_row_numbers() -> None:
    """The check itself: it finds what it looks for."""
    html = (
        '<a href="/clinic/patients/17/">x</a><form action="/clinic/plans/5/edit/"></form>'
        '<a href="/clinic/plans/GZUcnUYI/?edit=rx-12#rx-12">d</a>'
        '<a href="/clinic/plans/GZUcnUYI/?q=a&amp;to=3">e</a>'
        '<a hx-get="/clinic/plans/GZUcnUYI/?open=4">e</a>'
        '<a href="/static/x/1/a.js">s</a><a href="/api/v1/logs/3/">a</a>'
    )
    assert _numbered_addresses(html) == [
        "/clinic/patients/17/",
        "/clinic/plans/5/edit/",
        "/clinic/plans/GZUcnUYI/?edit=rx-12#rx-12",
        "/clinic/plans/GZUcnUYI/?q=a&amp;to=3",
        "/clinic/plans/GZUcnUYI/?open=4",
    ]


def test_the_clinician_pages_show_no_row_numbers(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    pages = [
        reverse("rehab:dashboard"),
        reverse("rehab:patient_list"),
        reverse("rehab:alerts"),
        reverse("rehab:patient_detail", args=[scene.patient.pk]),
        reverse("rehab:patient_detail", args=[scene.patient.pk]) + "?tab=plan",
        reverse("rehab:patient_messages", args=[scene.patient.pk]),
        reverse("rehab:plan_builder", args=[scene.plan.pk]),
        reverse("rehab:plan_builder", args=[scene.plan.pk]) + "?open=all",
        reverse("rehab:plan_overview", args=[scene.plan.pk]),
        reverse("rehab:plan_handout", args=[scene.plan.pk]),
        reverse("rehab:library"),
        reverse("rehab:template_list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.text
        assert 'href="/clinic/' in html or "hx-" in html, url  # the check looks at something
        assert _numbered_addresses(html) == [], url


def test_the_clinic_s_other_pages_show_no_row_numbers(scene: Scene, admin: Clinician) -> None:
    """The patient page's other tabs, the records, the team, the library and the templates (as
    a clinic admin, who sees them all)."""
    exercise = factories.ExerciseFactory.create(clinic=admin.clinic, name="Clinic drill")
    draft = factories.ProtocolFactory.create(clinic=admin.clinic, is_draft=True, is_published=False)
    factories.ProtocolItemFactory.create(
        phase=factories.ProtocolPhaseFactory.create(protocol=draft), exercise=exercise
    )
    patient = scene.patient.pk
    pages = [
        reverse("rehab:patient_detail", args=[patient]) + "?tab=outcomes",
        reverse("rehab:patient_detail", args=[patient]) + "?tab=messages",
        reverse("rehab:patient_export", args=[patient]),
        reverse("audit:patient_history", args=[patient]),
        reverse("rehab:plan_create", args=[patient]),
        reverse("clinic:patient_edit", args=[patient]),
        reverse("clinic:team"),
        reverse("clinic:team_member", args=[scene.clinician.pk]),
        reverse("rehab:library") + "?q=drill",
        reverse("rehab:library_detail", args=[exercise.pk]),
        reverse("rehab:exercise_history", args=[exercise.pk]),
        reverse("rehab:template_detail", args=[draft.pk]),
        reverse("rehab:template_history", args=[draft.pk]),
    ]
    client = client_for(admin.user)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'href="/' in response.text, url
        assert _numbered_addresses(response.text) == [], url


def test_the_patient_s_pages_show_no_row_numbers(scene: Scene) -> None:
    client = client_for(scene.patient.user)
    for name in ("rehab:today", "rehab:my_plan", "rehab:progress"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'href="/' in response.text
        assert _numbered_addresses(response.text) == [], name


# --- The query strings a page reads back ------------------------------------------------------


def test_the_builder_s_query_strings_carry_opaque_ids(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    builder = reverse("rehab:plan_builder", args=[scene.plan.pk])
    page = client.get(builder).text
    later = scene.phases[2]
    # The links the page writes carry the opaque ids ...
    assert f"?edit=rx-{opaque(scene.rx.pk)}#rx-{opaque(scene.rx.pk)}" in page
    assert f"open={opaque(later.pk)}" in page
    assert f"to={opaque(later.pk)}" in page
    assert f'id="rx-{opaque(scene.rx.pk)}"' in page
    # ... and the page reads them back: the dose form asked for, the phase opened, the phase
    # the library adds to.
    rx_key = f"rx-{opaque(scene.rx.pk)}"
    edited = client.get(builder, {"edit": rx_key}).text
    assert f'name="{rx_key}-sets"' in edited
    opened = client.get(builder, {"open": opaque(later.pk)}).text
    assert f'id="rx-{opaque(scene.later_rx.pk)}"' in opened
    assert f'id="rx-{opaque(scene.later_rx.pk)}"' not in page  # collapsed without it
    to = client.get(builder, {"to": opaque(later.pk), "focus": "library"}).text
    assert re.search(rf'<option value="{opaque(later.pk)}"\s+selected', to)


def test_the_builder_takes_no_row_number_or_forged_id_in_its_query(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    builder = reverse("rehab:plan_builder", args=[scene.plan.pk])
    later = scene.phases[2]
    for edit in (f"rx-{scene.rx.pk}", "rx-AAAAAAAA", "rx-", "rx-\x00"):
        response = client.get(builder, {"edit": edit})
        assert response.status_code == 200
        assert "-sets" not in response.text  # no dose form
    for value in (str(later.pk), "AAAAAAAA", "\x00"):
        response = client.get(builder, {"open": value, "to": value})
        assert response.status_code == 200
        assert f'id="rx-{opaque(scene.later_rx.pk)}"' not in response.text
        # the library adds to the current phase, as without ``to``
        assert re.search(rf'<option value="{opaque(scene.phases[1].pk)}"\s+selected', response.text)


def test_the_handout_s_phase_is_an_opaque_id(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    url = reverse("rehab:plan_handout", args=[scene.plan.pk])
    later = scene.phases[2]
    page = client.get(url)
    assert f'<option value="{opaque(later.pk)}"' in page.text
    chosen = client.get(url, {"phase": opaque(later.pk)})
    assert chosen.status_code == 200
    assert chosen.context["phase"] == later
    for value in (str(later.pk), "AAAAAAAA", "\x00", "9" * 40):
        assert client.get(url, {"phase": value}).status_code == 404, value


def test_the_overview_s_links_carry_opaque_ids(scene: Scene) -> None:
    client = client_for(scene.clinician.user)
    text = client.get(reverse("rehab:plan_overview", args=[scene.plan.pk])).text
    assert _numbered_addresses(text) == []
