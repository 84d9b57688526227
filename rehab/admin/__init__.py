"""The admin: where staff write the exercise library and the protocol templates.

Patients' plans, logs, check-ins, outcomes and alerts are shown here too, but view-only: they are
written by the app (through the services, which keep plan versions and alerts right), and what
a patient reported is never deleted here. One module per sub-domain; importing them registers
their pages.
"""

from __future__ import annotations

from rehab.admin import criteria, library, logbook, plans, protocols

__all__ = ["criteria", "library", "logbook", "plans", "protocols"]
