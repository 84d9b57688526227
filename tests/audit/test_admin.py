"""audit.admin: the audit trail in Django's admin shows each actor's role in words."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_accessevent_changelist")
ROLES = {
    "clinician:admin": "Clinic admin",
    "clinician:therapist": "Physiotherapist",
    "patient": "The patient",
    "staff": "Site staff",
}


def _event(role: str) -> AccessEvent:
    event = AccessEvent(actor_email="someone@example.org", actor_role=role, action="read")
    event.what = "rehab:patient_detail 1"
    event.save()
    return event


def _cells(page: str, css_class: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(rf'<td class="{css_class}">(.*?)</td>', page, re.S)
    ]


def test_the_list_shows_each_role_in_words(staff_client: Client) -> None:
    for role in ROLES:
        _event(role)
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    shown = set(_cells(page, "field-role"))
    assert set(ROLES.values()) <= shown
    for code in ROLES:
        assert f">{code}<" not in page


def test_the_role_filter_offers_words_and_filters(staff_client: Client) -> None:
    admin_event = _event("clinician:admin")
    _event("patient")
    page = staff_client.get(CHANGELIST).content.decode()
    filter_links = re.findall(r'<a href="\?actor_role=[^"]*"[^>]*>(.*?)</a>', page)
    assert "Clinic admin" in filter_links
    assert "clinician:admin" not in filter_links
    response = staff_client.get(CHANGELIST, {"actor_role": "clinician:admin"})
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert admin_event in listed
    assert all(event.actor_role == "clinician:admin" for event in listed)


def test_an_events_page_shows_the_role_in_words(staff_client: Client) -> None:
    event = _event("clinician:admin")
    page = staff_client.get(reverse("admin:audit_accessevent_change", args=[event.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Clinic admin" in text
    assert "clinician:admin" not in text
