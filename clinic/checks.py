"""System checks of the clinic app's settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Invitation links and their QR codes are made from ``SITE_URL``: in production it must
    be the https address patients open."""
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        checks.Warning(
            "SITE_URL is not an https:// address, so invitation links would not reach patients.",
            hint="Set SITE_URL to the address patients open, e.g. https://rehab.example.org.",
            id="clinic.W001",
        )
    ]
