"""Discarding a template's draft deletes every change made in it: the button next to
"Publish" asks first, and only "Yes, discard the draft" does it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Clinician
from rehab.models import Protocol
from rehab.services import protocols as services
from tests import factories
from tests.confirmations import asks_first
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_discarding_a_draft_asks_first_and_deletes_nothing_until_confirmed(
    clinician: Clinician,
) -> None:
    template = factories.ProtocolFactory(clinic=clinician.clinic, name="Our repair template")
    draft = services.template_draft(protocol=template, created_by=clinician.user)
    client = client_for(clinician.user)
    url = reverse("rehab:template_discard", args=[draft.pk])

    page = asks_first(
        client,
        url,
        yes="Yes, discard the draft",
        cancel=reverse("rehab:template_detail", args=[draft.pk]),
    )
    assert Protocol.objects.filter(pk=draft.pk).exists()
    assert f"Discard the draft of version {draft.version} of Our repair template?" in page
    assert "cannot be undone" in page

    done = client.post(url, {"confirmed": "1"})

    assert done["Location"] == reverse("rehab:template_detail", args=[template.pk])
    assert not Protocol.objects.filter(pk=draft.pk).exists()
