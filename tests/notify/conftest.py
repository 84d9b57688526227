from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notify.helpers import VAPID_PUBLIC, push_settings
from tests.notify.push_service import PushService


@pytest.fixture(autouse=True)
def _push_configured(settings: Any) -> None:
    push_settings(settings)


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService(expected_vapid_key=VAPID_PUBLIC)
    service.start()
    yield service
    service.stop()
