"""The "never the clinic's last clinic admin" rule with two admins acting at once."""

from __future__ import annotations

import contextlib
import threading
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clinic.models import Clinician, User
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


def test_one_invitation_sent_twice_at_once_adds_one_clinician_and_no_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(From review.) A double click on "Invite": both requests passed the "already in your
    team" and "already has an account" checks before either saved, and the second failed on
    the unique email (a 500). The clinic's team is locked first now: the second waits, then
    finds the first in the team and is refused with the form's message."""
    admin = factories.ClinicAdminFactory()
    barrier = threading.Barrier(2, timeout=2)
    original = User.set_unusable_password

    def checked_then_wait(self: User) -> None:
        original(self)
        # Both have passed the checks before either inserts (with a lock, one waits instead).
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(User, "set_unusable_password", checked_then_wait)

    def invite() -> str:
        try:
            team_services.clinician_invite(
                clinic=admin.clinic,
                email="new.physio@example.org",
                full_name="New Physio",
                role=Clinician.Role.THERAPIST,
                invited_by=admin.user,
            )
        except ValidationError:
            return "refused"
        return "invited"

    results: list[Any] = in_threads(invite, invite)
    assert sorted(results) == ["invited", "refused"]
    assert Clinician.objects.filter(user__email="new.physio@example.org").count() == 1
