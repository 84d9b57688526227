"""Signing in to the API: per-device knox tokens that expire and can be revoked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.ids import opaque
from tests import factories
from tests.api.conftest import World, body, token_client

LOGIN = "/api/v1/auth/login/"


def login(client: APIClient, email: str, password: str = factories.PASSWORD) -> object:
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def test_login_gives_a_token_that_works(world: World) -> None:
    user = world.patient.user
    response = login(APIClient(), user.email.upper())
    assert response.status_code == 200
    data = body(response)
    assert data["user"]["role"] == "patient"
    assert data["user"]["patient_id"] == opaque(world.patient.pk)
    expiry = dt.datetime.fromisoformat(data["expiry"])
    assert dt.timedelta(days=29) < expiry - timezone.now() <= dt.timedelta(days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {data['token']}")
    assert client.get("/api/v1/me/").json()["email"] == user.email
    # Only a hash is stored.
    stored = AuthToken.objects.get(user=user)
    assert data["token"] not in (stored.digest, stored.token_key)


def test_login_with_a_wrong_password_is_a_400_that_says_so(world: World) -> None:
    response = login(APIClient(), world.clinician.user.email, "wrong password")
    assert response.status_code == 400
    assert "non_field_errors" in body(response)
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"email": "not-an-email", "password": "x"}, {"email": 5, "password": ["x"]}],
)
def test_login_with_bad_input_is_a_400_with_field_errors(world: World, payload: dict) -> None:
    response = APIClient().post(LOGIN, payload, format="json")
    assert response.status_code == 400
    assert "email" in body(response)


def test_login_with_malformed_json_is_a_400(db: None) -> None:
    response = APIClient().post(LOGIN, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in body(response)


def test_an_inactive_user_cannot_sign_in(world: World) -> None:
    user = world.clinician.user
    user.is_active = False
    user.save()
    assert login(APIClient(), user.email).status_code == 400


def test_sign_in_is_throttled(world: World) -> None:
    client = APIClient()
    # A different email each time: django-axes locks one email+address after 5 failures.
    codes = [login(client, f"nobody{i}@example.org", "x").status_code for i in range(11)]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    assert "detail" in body(login(client, world.patient.user.email))


def test_anonymous_gets_401_with_a_token_challenge(db: None) -> None:
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_or_expired_token_is_401(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/me/").status_code == 401
    client = token_client(world.patient.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert client.get("/api/v1/me/").status_code == 401


def test_session_sign_in_works_for_the_site_pages(world: World) -> None:
    client = APIClient()
    client.force_login(world.clinician.user)
    data = client.get("/api/v1/me/").json()
    assert data["role"] == "clinician"
    assert data["clinic"]["id"] == opaque(world.clinician.clinic_id)


def test_logout_revokes_only_the_current_token(world: World) -> None:
    user = world.patient.user
    phone, tablet = token_client(user), token_client(user)
    assert phone.post("/api/v1/auth/logout/").status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert tablet.get("/api/v1/me/").status_code == 200


def test_logoutall_revokes_every_token(world: World) -> None:
    user = world.patient.user
    phone, tablet = token_client(user), token_client(user)
    other = token_client(world.other_patient.user)
    assert phone.post("/api/v1/auth/logoutall/").status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert tablet.get("/api/v1/me/").status_code == 401
    assert other.get("/api/v1/me/").status_code == 200


def test_logout_needs_a_token(world: World) -> None:
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_devices_lists_own_tokens_without_secrets(world: World) -> None:
    user = world.clinician.user
    phone = token_client(user)
    token_client(user)
    token_client(world.colleague.user)
    data = phone.get("/api/v1/auth/devices/").json()
    assert data["count"] == 2
    keys = {row["id"] for row in data["results"]}
    assert keys == set(AuthToken.objects.filter(user=user).values_list("token_key", flat=True))
    assert [row["current"] for row in data["results"]].count(True) == 1
    for row in data["results"]:
        assert set(row) == {"id", "created", "expiry", "current"}


def test_revoke_one_device(world: World) -> None:
    user = world.clinician.user
    phone, tablet = token_client(user), token_client(user)
    tablet_key = next(
        row["id"] for row in tablet.get("/api/v1/auth/devices/").json()["results"] if row["current"]
    )
    assert phone.delete(f"/api/v1/auth/devices/{tablet_key}/").status_code == 204
    assert tablet.get("/api/v1/me/").status_code == 401
    assert phone.get("/api/v1/me/").status_code == 200


def test_cannot_revoke_someone_elses_device(world: World) -> None:
    token_client(world.colleague.user)
    key = AuthToken.objects.get(user=world.colleague.user).token_key
    client = token_client(world.clinician.user)
    assert client.delete(f"/api/v1/auth/devices/{key}/").status_code == 404
    assert client.delete("/api/v1/auth/devices/no%00such/").status_code == 404
    assert AuthToken.objects.filter(user=world.colleague.user).exists()
