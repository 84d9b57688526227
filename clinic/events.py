"""Signals the clinic app sends about patients, for apps that depend on it (``rehab``) to act on.

``clinic`` never imports ``rehab``; ``rehab`` connects to these in its ``AppConfig.ready``.
"""

from __future__ import annotations

from django.dispatch import Signal

# What the patient's plan is dated and checked against changed: the date week numbers count
# from (surgery date, else injury date) or the pathway (the earliest safe weeks differ).
# Sent with ``patient`` after the change is saved, inside the same transaction.
patient_course_changed = Signal()

# The patient was discharged or archived. Sent with ``patient``.
patient_left_care = Signal()

# The patient's record was erased (anonymised; ``rehab.services.records.patient_erase``): apps
# forget what could still identify them. Sent with ``patient`` inside the erasing transaction.
patient_erased = Signal()
