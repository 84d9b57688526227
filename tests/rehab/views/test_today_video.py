"""An exercise's video on Today (issue 18): a tap-to-load frame from YouTube's privacy-enhanced
host (the only frame host the CSP allows), nothing loaded before the tap, the plain link kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Patient
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _today_with(patient: Patient, url: str, start: int = 0) -> tuple[str, str]:
    _plan, (phase,) = factories.active_plan(patient)
    factories.PrescriptionFactory(
        phase=phase, exercise__video_url=url, exercise__video_start_seconds=start
    )
    response = client_for(patient.user).get(reverse("rehab:today"))
    return response.content.decode(), response.headers.get("Content-Security-Policy", "")


def test_a_youtube_link_loads_only_when_tapped_from_the_privacy_enhanced_host(
    patient: Patient,
) -> None:
    html, csp = _today_with(patient, "https://www.youtube.com/watch?v=abcdefghijk", start=95)
    assert (
        'data-embed="https://www.youtube-nocookie.com/embed/abcdefghijk?rel=0&amp;start=95"' in html
    )
    assert "Play the video here" in html
    assert "<iframe" not in html  # nothing from the video site before the tap
    assert 'href="https://www.youtube.com/watch?v=abcdefghijk&amp;t=95"' in html  # the fallback
    assert "frame-src https://www.youtube-nocookie.com" in csp


def test_another_sites_link_stays_a_plain_link(patient: Patient) -> None:
    html, _csp = _today_with(patient, "https://video.example/watch?v=abc")
    assert "data-embed" not in html
    assert 'href="https://video.example/watch?v=abc"' in html


def test_no_link_no_video(patient: Patient) -> None:
    html, _csp = _today_with(patient, "")
    assert "data-embed" not in html
    assert "Watch the video" not in html
