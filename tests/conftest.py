from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Clinician, Patient, User
from tests import factories


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test outside ``tests/e2e`` that pytest-playwright parametrizes with a browser.

    A parameter named like one of its fixtures (``page``, ``browser``, ``context``) makes the
    plugin give the test a browser parameter, and pytest-django then runs it, and every browser
    test with it, among the database tests, whose flushes empty the shipped reference data
    before the tests that read it (stop 39's CI: 18 failed, 2,654 errors).
    """
    wrong = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and not item.nodeid.startswith("tests/e2e/")
    ]
    if wrong:
        raise pytest.UsageError(
            "These tests have a parameter named like a pytest-playwright fixture (page, browser, "
            "context…); rename it: " + ", ".join(wrong)
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2 is slow by design; tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """Each test starts with empty caches (rate-limit counts, template fragments)."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded files go to a folder of the test run, never the checkout's ``media/``."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture
def seeded(db: None) -> None:
    """The real library and protocol templates from fixtures/."""
    call_command("loaddata", "library", "protocols", verbosity=0)


@pytest.fixture
def clinician(db: None) -> Clinician:
    return factories.ClinicianFactory()


@pytest.fixture
def colleague(clinician: Clinician) -> Clinician:
    """Another clinician of the same clinic."""
    return factories.ClinicianFactory(clinic=clinician.clinic)


@pytest.fixture
def admin(clinician: Clinician) -> Clinician:
    """A clinic admin of the clinician's clinic."""
    return factories.ClinicAdminFactory(clinic=clinician.clinic)


@pytest.fixture
def other_clinician(db: None) -> Clinician:
    """A clinician of another clinic."""
    return factories.ClinicianFactory()


@pytest.fixture
def patient(clinician: Clinician) -> Patient:
    return factories.PatientFactory(clinic=clinician.clinic)


@pytest.fixture
def other_patient(clinician: Clinician) -> Patient:
    """Another patient of the same clinic."""
    return factories.PatientFactory(clinic=clinician.clinic)


@pytest.fixture
def staff(db: None) -> User:
    return factories.StaffFactory()


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def writes(captured: CaptureQueriesContext) -> list[str]:
    """The statements captured that write (neither a read nor a savepoint's bookkeeping)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]


def assert_login_redirect(response: Any, path: str) -> None:
    """The answer sends to the sign-in page, to come back to ``path``."""
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")
    assert path in response["Location"]


@pytest.fixture
def staff_client(client: Client) -> Client:
    """A test client signed in as a superuser."""
    client.force_login(factories.StaffFactory())
    return client
