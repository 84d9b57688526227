"""Signals the clinic app sends about patients and sign-ins, for apps that depend on it
(``rehab``, ``notify``) to act on.

``clinic`` never imports them; they connect to these in their ``AppConfig.ready``.
"""

from __future__ import annotations

from django.dispatch import Signal

# What the patient's plan is dated and checked against changed: the date week numbers count
# from (surgery date, else injury date) or the pathway (the earliest safe weeks differ).
# Sent with ``patient`` after the change is saved, inside the same transaction; also after a
# time zone that puts the patient on an earlier day (``previous_timezone``: the one before).
patient_course_changed = Signal()

# The patient was discharged or archived. Sent with ``patient``.
patient_left_care = Signal()

# The patient's record was erased (anonymised; ``rehab.services.records.patient_erase``): apps
# forget what could still identify them. Sent with ``patient`` inside the erasing transaction.
patient_erased = Signal()

# Browser sessions of ``user`` were signed out by a person: the user's own sign-out, ending one
# from the sessions page or "sign out everywhere else", a password change (the other browsers),
# deactivation, a reset of two-factor. Sent with ``user`` and ``session_keys`` (the ended
# sessions' keys). A session that only expires sends nothing.
sessions_signed_out = Signal()

# The session of this browser got a new key while ``user`` stays signed in on it (a password
# change cycles it): sent with ``user``, ``old_key`` and ``new_key``.
session_key_changed = Signal()
