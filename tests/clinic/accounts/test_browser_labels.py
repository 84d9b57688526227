"""The sessions page names each browser as a person would ("Chrome on Android"), not by its raw
user-agent string, which stays at hand in a details element (and the label's title)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import Clinician, UserSession
from core.browsers import browser_label

PIXEL_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (PIXEL_CHROME, "Chrome on Android"),
        (IPHONE_SAFARI, "Safari on iPhone"),
        (WINDOWS_FIREFOX, "Firefox on Windows"),
        (
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
                "Gecko) Version/17.5 Safari/605.1.15"
            ),
            "Safari on Mac",
        ),
        (
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
            ),
            "Edge on Windows",
        ),
        (
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
                "like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1"
            ),
            "Chrome on iPhone",
        ),
        (
            (
                "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iPad",
        ),
        (
            (
                "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like "
                "Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"
            ),
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0",
            "Firefox on Android",
        ),
        (
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/126.0.0.0 Safari/537.36"
            ),
            "Chrome on ChromeOS",
        ),
        (
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/126.0.0.0 Safari/537.36"
            ),
            "Chrome on Linux",
        ),
        ("", "Unknown browser"),
        ("Test browser", "Unknown browser"),
        ("x" * 200, "Unknown browser"),
    ],
)
def test_a_user_agent_is_named_as_a_person_would(agent: str, label: str) -> None:
    assert browser_label(agent) == label


@pytest.mark.django_db
def test_the_sessions_page_shows_the_label_and_keeps_the_raw_string_at_hand(
    clinician: Clinician,
) -> None:
    phone = Client(HTTP_USER_AGENT=PIXEL_CHROME)
    phone.force_login(clinician.user)
    UserSession.objects.filter(session_key=phone.session.session_key).update(
        user_agent=PIXEL_CHROME
    )
    laptop = Client()
    laptop.force_login(clinician.user)
    UserSession.objects.filter(session_key=laptop.session.session_key).update(
        user_agent=WINDOWS_FIREFOX
    )
    page = phone.get(reverse("clinic:sessions")).content.decode()
    assert 'title="' + PIXEL_CHROME + '"' in page
    assert ">Chrome on Android<" in page.replace("\n", "").replace("  ", "")
    assert "Firefox on Windows" in page
    assert "<details" in page
    assert page.count(WINDOWS_FIREFOX) >= 1  # the raw string, for the curious
    # The sign-out button names the browser by its label for screen readers.
    assert 'visually-hidden">Chrome on Android</span>' in page
