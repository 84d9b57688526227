"""A template's name is its own in the clinic's template list.

The list (``rehab.views.templates.template_list``) shows the shared templates and the clinic's
own side by side: two of the same name cannot be told apart. So a clinic's template takes no
name another template of that list already has (letter case and spaces aside), and a plan
saved as a template is offered a name that is free: the plan's, or "<name> (copy)" when the
plan still has the name of the template it was made from. Never the patient's: a template is
shared with the whole clinic.
"""

from __future__ import annotations

import re
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clinic.models import Clinic, Patient
from rehab.models.plans import Plan
from rehab.models.protocols import PROTOCOL_NAME_MAX_LENGTH, Protocol


def _in_list(clinic: Clinic | int) -> QuerySet[Protocol]:
    """The templates the clinic's list shows: the shared published ones and the clinic's own
    (current versions, drafts and archived ones; not the versions a newer one replaced)."""
    return Protocol.objects.filter(
        Q(clinic__isnull=True, is_published=True) | Q(clinic=clinic), superseded_at__isnull=True
    )


def refuse_taken_name(*, clinic: Clinic | int, name: str, lineage: uuid.UUID | None = None) -> None:
    """Refuse ``name`` if another template of the clinic's list has it (the versions of
    ``lineage``, the template being renamed, aside). Call it inside the transaction that saves
    the name: it locks the clinic's row first, so two saves of one name (a rename in the
    editor, a plan saved as a template) cannot both pass."""
    Clinic.objects.lock(clinic.pk if isinstance(clinic, Clinic) else clinic)
    others = _in_list(clinic).filter(name__iexact=name.strip())
    if lineage is not None:
        others = others.exclude(lineage=lineage)
    if others.exists():
        raise ValidationError(
            {
                "name": ValidationError(
                    _("Another template is already called “%(name)s”: give this one another name.")
                    % {"name": name.strip()},
                    code="name_taken",
                )
            }
        )


def _names_the_patient(text: str, patient: Patient) -> bool:
    """Whether ``text`` has a word of the patient's first or last name."""
    words = re.findall(r"\w+", f"{patient.first_name} {patient.last_name}".casefold())
    found = set(re.findall(r"\w+", text.casefold()))
    return any(len(word) > 1 and word in found for word in words)


def proposed_template_name(plan: Plan) -> str:
    """A name for a template saved from ``plan`` that no template of the clinic's list has:
    the plan's name, or, if that names the patient, the name of the template the plan was made
    from (else "Rehabilitation plan"); with " (copy)", " (copy 2)", … if it is taken. Reads
    ``plan.patient`` and ``plan.protocol`` (select them with the plan) and the names in one
    query."""
    patient = plan.patient
    base = plan.name.strip()
    if not base or _names_the_patient(base, patient):
        base = plan.protocol.name.strip() if plan.protocol is not None else ""
    if not base or _names_the_patient(base, patient):
        base = _("Rehabilitation plan")
    taken = {
        name.strip().casefold()
        for name in _in_list(patient.clinic_id).values_list("name", flat=True)
    }
    if base.casefold() not in taken:
        return base
    for number in range(1, len(taken) + 2):
        suffix = _(" (copy)") if number == 1 else _(" (copy %(number)d)") % {"number": number}
        candidate = base[: PROTOCOL_NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in taken:
            return candidate
    return base  # not reached: one of len(taken) + 1 candidates is free
