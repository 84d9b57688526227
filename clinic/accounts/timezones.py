"""Every page's dates and times in its reader's time zone: a patient's own, a clinician's
clinic's, as Django documents it (``timezone.activate`` for the request). Without it every
``{{ value|date }}`` showed UTC: a message sent at 19:30 in Los Angeles read "3:30 a.m." the next
day, and "who opened my record" was hours off.

Code that needs a patient's day still asks for it (``Patient.local_today``): this only sets how
stored instants are shown and what ``timezone.localdate()`` means on the request.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clinic.access import clinician_of, patient_of


def reader_time_zone(user: Any) -> zoneinfo.ZoneInfo | None:
    """The signed-in user's time zone: their own as a patient, their clinic's as a clinician;
    None for anyone else (site staff, anonymous: the site's). No query: the session's user
    comes with both records (``clinic.accounts.backends``)."""
    patient = patient_of(user)
    if patient is not None:
        return patient.tz
    clinician = clinician_of(user)
    if clinician is not None:
        return zoneinfo.ZoneInfo(clinician.clinic.timezone)
    return None


class ReaderTimeZoneMiddleware:
    """Activates ``reader_time_zone`` for the request (after ``AuthenticationMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = reader_time_zone(getattr(request, "user", None))
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
