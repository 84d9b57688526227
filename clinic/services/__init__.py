"""Writes for the clinic app, one module per sub-domain:

- ``patients``: registering a patient, changing their details, discharging, archiving and
  reactivating them;
- ``invitations``: the one-time links a patient or an invited clinician sets a password with
  (issuing, emailing, checking, accepting, revoking);
- ``messages``: a patient's thread with the clinic (sending, marking read).

Views call one of these; each is atomic and validates first. Keyword-only, typed arguments.
Domain errors are ``django.core.exceptions.ValidationError`` with messages fit to show a user
(and a ``code`` the views use to choose a response). Callers import the sub-module.

``clinic`` never imports ``rehab``: dependencies point one way.
"""
