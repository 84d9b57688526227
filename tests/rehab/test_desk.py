"""The clinician's navigation counts (rehab.selectors.desk, rehab.templatetags.rehab_desk):
the clinic's open alerts and unread messages on every clinician's page, in words beside the
colour."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.selectors.desk import desk_counts
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]


def test_the_counts_are_the_clinics_own(
    clinician: Clinician, patient: Patient, other_clinician: Clinician
) -> None:
    factories.AlertFactory.create_batch(2, patient=patient)
    factories.AlertFactory(
        patient=patient, acknowledged_at=timezone.now(), acknowledged_by=clinician.user
    )
    factories.MessageFactory.create_batch(3, patient=patient)
    factories.MessageFactory(patient=patient, read_at=timezone.now())
    factories.MessageFactory(patient=patient, from_patient=False, author=clinician.user)
    elsewhere = factories.PatientFactory(clinic=other_clinician.clinic)
    factories.AlertFactory(patient=elsewhere)
    factories.MessageFactory(patient=elsewhere)
    counts = desk_counts(clinician.clinic_id)
    assert (counts.open_alerts, counts.unread_messages) == (2, 3)
    nothing = desk_counts(factories.ClinicianFactory().clinic_id)
    assert (nothing.open_alerts, nothing.unread_messages) == (0, 0)


@pytest.mark.parametrize(
    "name", ["rehab:patient_list", "rehab:alerts", "rehab:library", "rehab:dashboard"]
)
def test_every_clinician_page_shows_them_in_the_navigation(
    clinician: Clinician, patient: Patient, name: str
) -> None:
    factories.AlertFactory(patient=patient)
    factories.MessageFactory.create_batch(2, patient=patient)
    nav = _nav(client_for(clinician.user).get(reverse(name)).text)
    assert re.search(r"Alerts\s*<span class=\"badge text-bg-danger\">1 open</span>", nav)
    assert re.search(r"Dashboard\s*<span class=\"badge text-bg-primary\">2 unread</span>", nav)


def test_nothing_open_shows_no_badge(clinician: Clinician) -> None:
    nav = _nav(client_for(clinician.user).get(reverse("rehab:patient_list")).text)
    assert "badge" not in nav


def test_the_dashboard_counts_them_once(
    clinician: Clinician, patient: Patient, django_assert_max_num_queries: Any
) -> None:
    """The dashboard has the counts already: the navigation reuses them (its query count is
    tests/rehab/views/test_dashboard.py's DASHBOARD_QUERIES, unchanged)."""
    from tests.rehab.views.test_dashboard import DASHBOARD_QUERIES  # noqa: PLC0415

    factories.AlertFactory(patient=patient, created_at=timezone.now() - dt.timedelta(hours=1))
    client = client_for(clinician.user)
    client.get(reverse("rehab:dashboard"))
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get(reverse("rehab:dashboard")).status_code == 200


def test_the_alerts_inbox_counts_the_open_alerts_once(
    clinician: Clinician, patient: Patient, django_assert_num_queries: Any
) -> None:
    """The open alerts inbox has counted them (its paginator): the navigation reuses the count.
    Its acknowledged view counts other alerts, so the navigation counts the open ones itself."""
    from tests.rehab.views.test_dashboard import ALERTS_QUERIES  # noqa: PLC0415

    factories.AlertFactory.create_batch(2, patient=patient)
    factories.AlertFactory(
        patient=patient, acknowledged_at=timezone.now(), acknowledged_by=clinician.user
    )
    client = client_for(clinician.user)
    for query, queries in (({}, ALERTS_QUERIES), ({"show": "acknowledged"}, ALERTS_QUERIES + 1)):
        with django_assert_num_queries(queries):
            nav = _nav(client.get(reverse("rehab:alerts"), query).text)
        assert re.search(r"Alerts\s*<span class=\"badge text-bg-danger\">2 open</span>", nav)
