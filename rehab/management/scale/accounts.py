"""What marks generated data, and the accounts the bench signs in with: clinic slugs start
with ``scale-``, email addresses end with ``@scale.example``, and every account has one
published password (so the command refuses to run without ``DEBUG``)."""

from __future__ import annotations

SCALE_PASSWORD = "scale-rehab-2026"  # noqa: S105 (a published bench login, refused without DEBUG)
SLUG_PREFIX = "scale-"
EMAIL_DOMAIN = "scale.example"
FOCUS_CLINICIAN_EMAIL = f"clinician@{EMAIL_DOMAIN}"
BENCH_PATIENT_EMAIL = f"patient@{EMAIL_DOMAIN}"
