"""Fixtures for the clinic's tests: a patient not invited yet, a colleague invited who has not
joined yet; for the sign-in tests, a stopped clock (TOTP codes depend on the 30-second step) and
two-factor sign-in required of everyone it may apply to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from clinic.models import Clinician, Patient
from tests import factories

START = dt.datetime(2026, 5, 4, 9, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def uninvited(clinician: Clinician) -> Patient:
    """A patient with an email address and no account yet."""
    return factories.PatientFactory(clinic=clinician.clinic, user=None, email="new@example.org")


@pytest.fixture
def invited(clinician: Clinician) -> Clinician:
    """A colleague invited to the team who has not set a password yet."""
    colleague = factories.ClinicianFactory(clinic=clinician.clinic, user__full_name="Ines Invited")
    colleague.user.set_unusable_password()
    colleague.user.save(update_fields=["password"])
    return colleague


@pytest.fixture
def clock() -> Iterator[Any]:
    """The clock stopped at ``START``; ``clock.shift(...)`` moves it on."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enforced(settings: Any) -> None:
    settings.MFA_REQUIRED = True
