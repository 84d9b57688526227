"""Writes of the clinic's settings, by its clinic admins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.accounts.services import security_policy_changed
from clinic.models import Clinic, Clinician, TeamEvent, User
from clinic.profile.forms import SETTINGS_FIELDS


@transaction.atomic
def clinic_settings_update(*, clinic: Clinic, changed_by: User | None, **fields: Any) -> Clinic:
    """Change the clinic's settings. Requiring two-factor sign-in of therapists ends their API
    tokens (``security_policy_changed``); their browser sessions ask within a minute. The
    change is kept in the team's history, naming the settings changed. The save is heard by
    ``notify`` (a model signal, in this transaction): a new time zone, opening hours or
    escalation time moves the pending escalations of the clinic's open alerts."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(
            _("These settings cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    changed = [name for name, value in fields.items() if getattr(clinic, name) != value]
    if not changed:
        return clinic
    tightened = fields.get("requires_mfa") is True and not clinic.requires_mfa
    for name in changed:
        setattr(clinic, name, fields[name])
    clinic.full_clean()
    clinic.save(update_fields=changed)
    if tightened:
        therapists = User.objects.filter(
            clinician__clinic=clinic, clinician__role=Clinician.Role.THERAPIST
        )
        security_policy_changed(users=list(therapists))
    TeamEvent.objects.create(
        clinic=clinic,
        actor=changed_by,
        action=TeamEvent.Action.SETTINGS_CHANGED,
        # Each setting by its field's label (``Clinic.<name>.field``: every setting is a field).
        detail=", ".join(str(getattr(Clinic, name).field.verbose_name) for name in changed),
    )
    return clinic
