from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def scale_data(seeded: None) -> None:
    """A tiny seed_scale run, every patient's day not yet begun (as make bench seeds)."""
    call_command(
        "seed_scale",
        "--force",
        "--no-today",
        "--clinics=2",
        "--patients=12",
        "--days=10",
        "--focus-clinician-patients=8",
        stdout=StringIO(),
    )
