"""Discarding a template's draft deletes every change made in it: the button next to
"Publish" asks first, and only "Yes, discard the draft" does it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from clinic.models import Clinician
from rehab.models import Protocol
from rehab.services import protocols as services
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_discarding_a_draft_asks_first_and_deletes_nothing_until_confirmed(
    clinician: Clinician,
) -> None:
    template = factories.ProtocolFactory(clinic=clinician.clinic, name="Our repair template")
    draft = services.template_draft(protocol=template, created_by=clinician.user)
    client = client_for(clinician.user)
    url = reverse("rehab:template_discard", args=[draft.pk])

    asked = client.post(url)

    assert asked.status_code == 200
    assert Protocol.objects.filter(pk=draft.pk).exists()
    page = text(asked.content.decode())
    assert f"Discard the draft of version {draft.version} of Our repair template?" in page
    assert "cannot be undone" in page
    html = asked.content.decode()
    assert 'name="confirmed" value="1"' in html
    assert f'href="{reverse("rehab:template_detail", args=[draft.pk])}"' in html  # Cancel

    done = client.post(url, {"confirmed": "1"})

    assert done["Location"] == reverse("rehab:template_detail", args=[template.pk])
    assert not Protocol.objects.filter(pk=draft.pk).exists()
