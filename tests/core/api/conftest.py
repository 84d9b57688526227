"""The API tests' world of two clinics (``tests/api/conftest.py``), for the API plumbing's own
tests."""

from __future__ import annotations

from tests.api.conftest import world

__all__ = ["world"]
