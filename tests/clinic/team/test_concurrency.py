"""The "never the clinic's last clinic admin" rule with two admins acting at once."""

from __future__ import annotations

import contextlib
import threading
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clinic.models import Clinician
from clinic.team import services as team_services
from tests import factories
from tests.threads import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def test_two_admins_deactivating_each_other_at_once_one_is_refused_cleanly() -> None:
    """Each deactivation locked only the clinician it deactivates, then counted the clinic's
    active admins: two admins deactivating each other at once both counted two (PostgreSQL
    then found a deadlock, a 500; a narrower lock would have left no clinic admin). The
    clinic's row is locked first now: the second waits, counts one, and is refused."""
    clinic = factories.ClinicFactory()
    a = factories.ClinicAdminFactory(clinic=clinic)
    b = factories.ClinicAdminFactory(clinic=clinic)
    barrier = threading.Barrier(2, timeout=2)
    original = team_services._active_admins

    def counted_then_wait(clinic_id: int) -> int:
        count = original(clinic_id)
        # The other may be waiting on a lock instead (the fix): then no one comes.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()  # both have counted before either commits
        return count

    def deactivate(target: Clinician, by: Clinician) -> None:
        with contextlib.suppress(ValidationError):  # the refusal: what one of them gets
            team_services.clinician_deactivate(clinician=target, deactivated_by=by.user)

    with mock.patch.object(team_services, "_active_admins", counted_then_wait):
        in_threads(lambda: deactivate(b, a), lambda: deactivate(a, b))

    active_admins: Any = Clinician.objects.filter(
        clinic=clinic, role=Clinician.Role.ADMIN, user__is_active=True
    ).count()
    assert active_admins >= 1
