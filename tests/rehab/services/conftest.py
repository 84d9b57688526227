"""Fixtures of the service tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)  # a Monday, noon UTC


@pytest.fixture
def frozen_clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at ``NOW``: a record's day is the day it is made."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
