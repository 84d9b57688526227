"""Risk modifiers (clinical.md §7): what slows a patient's protocol down, and by how much.

Published protocols slow down for re-rupture or revision surgery, augmented, insertional or
anchor repairs, and for poor healing (diabetes, corticosteroids, fluoroquinolones, smoking,
older age), but no source gives a number of weeks. So each modifier adds a **clinic-set**
offset to the earliest safe weeks, and always shows its caution to the clinician. The shipped
defaults (``RiskModifier.default_weeks``: +2 weeks for re-rupture/revision and for anchor or
insertional repair, 0 for the others) are a local default, no published figure; a clinic
admin sets the clinic's own (``rehab.models.risk.RiskOffsets``, ``clinic_offsets``).

With several modifiers the largest offset applies (they are not added up: no source says they
compound). ``clinic_offsets`` is the one place the clinic's offsets are read (through
``offset_weeks``, for the guardrails); ``rehab.guardrails.earliest_safe_week`` is the one place
they are applied to an exercise, and ``rehab.guardrails.home_measure_fields`` to the tests a
patient is asked at home (single-leg heel raises and walking on the toes wait as those
exercises do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic, Patient

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AGE_THRESHOLD = 60
# The most weeks a clinic may add for one modifier.
WEEKS_MAX = 12
BASIS = _("local default, no published figure")
SOURCE = _("Published protocols slow down for these; no source gives a number of weeks.")


@dataclass(frozen=True)
class RiskModifier:
    """``field``: the patient's flag (empty: age from the date of birth); ``label`` the
    clinician's words, ``patient_label`` the patient's (their own record);
    ``default_weeks`` the shipped offset, used until the clinic sets its own."""

    code: str
    field: str
    label: StrOrPromise
    default_weeks: int
    caution: StrOrPromise
    patient_label: StrOrPromise = ""

    @property
    def label_for_patient(self) -> StrOrPromise:
        return self.patient_label or self.label


RISK_MODIFIERS: tuple[RiskModifier, ...] = (
    RiskModifier(
        "rerupture_or_revision",
        "risk_rerupture_or_revision",
        _("Re-rupture or revision surgery"),
        2,
        _("Protocols progress more slowly after a re-rupture or a revision."),
        _("The tendon tore again, or was operated on a second time"),
    ),
    RiskModifier(
        "augmentation",
        "risk_augmentation",
        _("Augmented repair"),
        0,
        _("Protocols progress more slowly after an augmented repair; follow the surgeon's note."),
        _("The repair was strengthened with extra tissue or material"),
    ),
    RiskModifier(
        "insertional_or_anchor",
        "risk_insertional_or_anchor",
        _("Insertional or anchor repair"),
        2,
        _("Protocols progress more slowly after an insertional or anchor repair."),
        _("The tendon was fixed back onto the heel bone"),
    ),
    RiskModifier(
        "diabetes",
        "risk_diabetes",
        _("Diabetes"),
        0,
        _("Poorer tendon and wound healing: watch the wound and progress with care."),
    ),
    RiskModifier(
        "corticosteroids",
        "risk_corticosteroids",
        _("Systemic or local corticosteroids"),
        0,
        _("Poorer tendon healing: progress loading with care."),
        _("Steroid medicines or steroid injections"),
    ),
    RiskModifier(
        "fluoroquinolones",
        "risk_fluoroquinolones",
        _("Fluoroquinolone use"),
        0,
        _("Fluoroquinolones are linked with tendon problems: progress loading with care."),
        _("Some antibiotics that can affect tendons (such as ciprofloxacin)"),
    ),
    RiskModifier(
        "age",
        "",
        _("Age 60 or over"),
        0,
        _("Slower healing with age: progress with care."),
    ),
    RiskModifier(
        "smoking",
        "risk_smoking",
        _("Smoking"),
        0,
        _("Poorer wound and tendon healing: progress with care."),
    ),
)
FLAG_FIELDS = tuple(m.field for m in RISK_MODIFIERS if m.field)


def _age_on(patient: Patient, day: dt.date) -> int | None:
    born = patient.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def modifiers_of(patient: Patient, *, today: dt.date | None = None) -> list[RiskModifier]:
    """The patient's risk modifiers (no query: flags on the record, age from the birth date)."""
    found = []
    for modifier in RISK_MODIFIERS:
        if modifier.field:
            if getattr(patient, modifier.field):
                found.append(modifier)
        else:
            age = _age_on(patient, today or patient.local_today())
            if age is not None and age >= AGE_THRESHOLD:
                found.append(modifier)
    return found


SHIPPED: dict[str, int] = {m.code: m.default_weeks for m in RISK_MODIFIERS}


def clinic_offsets(clinic: Clinic | None) -> dict[str, int]:
    """Every modifier's offset in ``clinic`` (code → weeks): the clinic's own where it set
    one, else the shipped default.

    Reads ``clinic.risk_offsets``: no query when it was read with the clinic
    (``select_related("…clinic__risk_offsets")``), else one the first time for this clinic
    instance (Django keeps the row, or its absence, on the instance)."""
    if clinic is None:
        return dict(SHIPPED)
    try:
        own = clinic.risk_offsets.weeks
    except ObjectDoesNotExist:
        return dict(SHIPPED)
    return SHIPPED | {code: weeks for code, weeks in own.items() if code in SHIPPED}


def patient_offsets(patient: Patient) -> dict[str, int]:
    """The offsets of the patient's clinic (the shipped ones for a patient of no clinic)."""
    return clinic_offsets(patient.clinic if patient.clinic_id is not None else None)


def offset_weeks(
    patient: Patient, offsets: Mapping[str, int] | None = None
) -> tuple[int, list[RiskModifier]]:
    """The weeks added to every earliest safe week for ``patient``, and the modifiers that
    set it (those with the largest offset; none when it is 0). The offsets are ``offsets``
    (code → weeks, every modifier's: a change not saved yet) or else the patient's clinic's
    (``patient_offsets``), read only for a patient with a modifier."""
    found = modifiers_of(patient)
    if not found:
        return 0, []
    if offsets is None:
        offsets = patient_offsets(patient)
    weeks = max(offsets[m.code] for m in found)
    return weeks, [m for m in found if weeks and offsets[m.code] == weeks]


def weighed(patient: Patient, *, today: dt.date | None = None) -> list[tuple[RiskModifier, int]]:
    """The patient's modifiers, each with the weeks it adds in their clinic (for the page that
    shows them: the offset that applies is the largest, ``offset_weeks``)."""
    found = modifiers_of(patient, today=today)
    if not found:
        return []
    offsets = patient_offsets(patient)
    return [(m, offsets[m.code]) for m in found]
