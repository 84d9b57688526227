"""One client-address function, one proxy policy (``TRUSTED_PROXY_HOPS``), used by the rate
limits, the sign-in lockout (django-axes), the list of a user's sessions and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AccessEvent
from clinic.models import Clinician, Patient, UserSession
from core.client import client_ip
from tests import factories
from tests.conftest import client_for

PROXY = "10.0.0.1"  # the TLS proxy in front of the app: every request's REMOTE_ADDR
ALICE = "203.0.113.5"
BOB = "198.51.100.7"
WRONG = "not-the-password-at-all"


def _via_proxy(address: str, **extra: Any) -> dict[str, Any]:
    """What a request from ``address`` looks like behind one proxy (which appends it)."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address, **extra}


@pytest.fixture
def behind_a_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXY_HOPS = 1


# --- the policy --------------------------------------------------------------------------------


def test_by_default_the_address_is_remote_addr_and_forwarded_for_is_ignored(
    settings: Any,
) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"}
    assert client_ip(meta) == "10.0.0.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(meta) == "10.0.0.1"  # the TLS header alone trusts no forwarded address


def test_each_trusted_hop_counts_from_the_right(settings: Any) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9, 10.0.0.1"}
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(meta) == "10.0.0.1"
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(meta) == "203.0.113.9"  # "6.6.6.6" was sent by the client: not trusted
    settings.TRUSTED_PROXY_HOPS = 5
    assert client_ip(meta) == "6.6.6.6"  # fewer addresses than hops: the furthest one
    assert client_ip({"REMOTE_ADDR": "10.0.0.2"}) == "10.0.0.2"  # not through the proxies
    assert client_ip({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "junk\n"}) is None


def test_an_address_that_is_not_an_ip_is_none() -> None:
    assert client_ip({"REMOTE_ADDR": "not an ip\n"}) is None
    assert client_ip({}) is None
    assert client_ip({"REMOTE_ADDR": " 2001:db8::1 "}) == "2001:db8::1"


# --- rate limits ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("behind_a_proxy")
def test_behind_a_proxy_two_clients_get_two_rate_limits(settings: Any, db: None) -> None:
    settings.RATE_LIMIT_ENABLED = True
    url = reverse("password_reset")
    alice = Client(**_via_proxy(ALICE))
    codes = [alice.post(url, {"email": f"p{i}@example.org"}).status_code for i in range(6)]
    assert codes == [302] * 5 + [429]
    bob = Client(**_via_proxy(BOB))
    assert bob.post(url, {"email": "p1@example.org"}).status_code == 302


def test_without_the_setting_everyone_behind_the_proxy_shares_one_limit(
    settings: Any, db: None
) -> None:
    settings.RATE_LIMIT_ENABLED = True
    url = reverse("password_reset")
    alice = Client(**_via_proxy(ALICE))
    for i in range(5):
        alice.post(url, {"email": f"p{i}@example.org"})
    bob = Client(**_via_proxy(BOB))
    assert bob.post(url, {"email": "p1@example.org"}).status_code == 429


@pytest.mark.usefixtures("behind_a_proxy")
def test_behind_a_proxy_the_api_sign_in_throttle_counts_each_client(db: None) -> None:
    url = "/api/v1/auth/login/"
    alice = APIClient(**_via_proxy(ALICE))
    codes = [  # a new email each time: django-axes' lockout (email + address) stays out of it
        alice.post(url, {"email": f"n{i}@example.org", "password": WRONG}).status_code
        for i in range(11)
    ]
    assert codes == [400] * 10 + [429]  # API_LOGIN_RATE: 10/min
    bob = APIClient(**_via_proxy(BOB))
    assert bob.post(url, {"email": "n1@example.org", "password": WRONG}).status_code == 400


# --- the sign-in lockout (django-axes) ---------------------------------------------------------


@pytest.mark.usefixtures("behind_a_proxy")
def test_behind_a_proxy_the_lockout_is_per_client(clinician: Clinician) -> None:
    email = clinician.user.email
    alice = Client(**_via_proxy(ALICE))
    codes = [
        alice.post(reverse("login"), {"username": email, "password": WRONG}).status_code
        for _ in range(5)
    ]
    assert codes[4] == 429
    assert AccessAttempt.objects.get().ip_address == ALICE
    bob = Client(**_via_proxy(BOB))
    response = bob.post(reverse("login"), {"username": email, "password": factories.PASSWORD})
    assert response.status_code == 302  # signed in: Alice's failures are not Bob's


# --- session rows and the audit trail ----------------------------------------------------------


@pytest.mark.usefixtures("behind_a_proxy")
def test_behind_a_proxy_the_session_row_has_the_clients_address(clinician: Clinician) -> None:
    client = Client(**_via_proxy(ALICE))
    client.post(
        reverse("login"), {"username": clinician.user.email, "password": factories.PASSWORD}
    )
    assert UserSession.objects.get(user=clinician.user).ip == ALICE


@pytest.mark.usefixtures("behind_a_proxy")
def test_behind_a_proxy_the_audit_trail_has_the_clients_address(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    url = reverse("rehab:patient_detail", args=[patient.pk])
    assert client.get(url, **_via_proxy(ALICE)).status_code == 200
    assert client.get(url, **_via_proxy(BOB)).status_code == 200
    ips = list(AccessEvent.objects.order_by("pk").values_list("ip_address", flat=True))
    assert ips == [ALICE, BOB]
