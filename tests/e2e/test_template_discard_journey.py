"""Discarding a template's draft from its page: the button asks first; Cancel keeps the
draft; "Yes, discard the draft" deletes it and shows the published version."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rehab.models import Protocol
from rehab.services import protocols as services
from tests import factories
from tests.e2e.conftest import check_page
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "template-discard"


def test_discarding_a_draft_asks_first(live_server: object, desktop: Page) -> None:
    base = str(live_server)
    admin = factories.ClinicAdminFactory(user__email="admin@clinic.example")
    template = factories.ProtocolFactory(clinic=admin.clinic, name="Our repair template")
    draft = services.template_draft(protocol=template, created_by=admin.user)
    page = desktop

    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.goto(f"{base}/clinic/templates/")
    page.get_by_role("link", name="Our repair template").first.click()
    page.get_by_role("link", name="Go on editing the draft").click()
    page.get_by_role("button", name="Discard the draft").click()

    question = f"Discard the draft of version {draft.version} of Our repair template?"
    expect(page.get_by_role("heading", name=question)).to_be_visible()
    check_page(page, JOURNEY, "question")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("button", name="Discard the draft")).to_be_visible()
    assert Protocol.objects.filter(pk=draft.pk).exists()

    page.get_by_role("button", name="Discard the draft").click()
    page.get_by_role("button", name="Yes, discard the draft").click()
    expect(page.get_by_text("The draft is discarded.")).to_be_visible()
    assert not Protocol.objects.filter(pk=draft.pk).exists()
