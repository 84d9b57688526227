"""clinic.accounts.services: ending a user's browser sessions."""

from __future__ import annotations

from typing import Any

import pytest

from clinic.accounts import services as account_services
from clinic.models import Clinician, User
from tests import factories
from tests.conftest import client_for


def _three_sessions(user: User) -> list[Any]:

    clients = []
    for _ in range(3):
        client = client_for(user)
        clients.append(client)
    return clients


def _signed_in(client: Any) -> bool:
    return client.get("/account/").status_code == 200


@pytest.mark.django_db
def test_user_sessions_end_all_but_one_or_just_one(clinician: Clinician) -> None:
    from django.contrib.sessions.models import Session  # noqa: PLC0415

    from clinic.models import UserSession  # noqa: PLC0415

    user = clinician.user
    here, second, third = _three_sessions(user)
    other_user_client = _three_sessions(factories.ClinicianFactory().user)[0]

    row = UserSession.objects.get(session_key=second.session.session_key)
    assert account_services.user_sessions_end(user, pk=row.pk) == 1
    assert not _signed_in(second)
    assert _signed_in(third)

    assert account_services.user_sessions_end(user, keep_key=here.session.session_key) == 1
    assert not _signed_in(third)
    assert _signed_in(here)
    assert _signed_in(other_user_client)

    assert account_services.user_sessions_end(user) == 1
    assert not _signed_in(here)
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=here.session.session_key).exists()


@pytest.mark.django_db
def test_user_sessions_prune_forgets_rows_whose_session_is_gone(clinician: Clinician) -> None:
    from django.contrib.sessions.models import Session  # noqa: PLC0415

    from clinic.models import UserSession  # noqa: PLC0415

    user = clinician.user
    here, gone, _kept = _three_sessions(user)
    gone_key = gone.session.session_key
    Session.objects.filter(session_key=gone_key).delete()
    account_services.user_sessions_prune(user, keep_key=here.session.session_key)
    assert not UserSession.objects.filter(session_key=gone_key).exists()
    assert UserSession.objects.filter(user=user).count() == 2
