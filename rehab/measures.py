"""The clinic's measurements (clinical.md §3): units, ranges and definitions in one place.

The model's fields and constraints, the forms, the serializer, the exit criteria and the
charts all read these definitions; each value a person types is checked against its range here
(``validate``), with a message that names the measurement and its unit.

Derived values (limb symmetry indexes, side differences) are computed, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.numbers import decimal_of, round_half_up

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# LSI = injured ÷ uninjured × 100; above this it is a typing error, not a recovery.
LSI_MAX = 200


@dataclass(frozen=True)
class Measure:
    """One measurement taken on each side (``sided``) or once.

    ``low``/``high``: the plausible range (inclusive) of one value; ``home``: the patient can
    record it at home (marked as such on the clinician's page), from week ``home_from_week``
    of their recovery, moved later by their risk modifiers (``home_week``): a test the plan
    does not yet allow is not asked of them at home.
    """

    code: str
    label: StrOrPromise
    unit: StrOrPromise
    low: Decimal
    high: Decimal
    definition: StrOrPromise
    sided: bool = True
    home: bool = False
    home_from_week: int = 0
    decimal: bool = False

    def home_week(self, offset_weeks: int = 0) -> int:
        """The first week of recovery this test is asked at home of a patient whose risk
        modifiers move the earliest safe weeks ``offset_weeks`` later (``rehab.risk``): a test
        that waits for a week (single-leg heel raises, walking on the toes) waits as long as
        the exercise it is; one asked from the start (the girth) still is."""
        if not self.home_from_week:
            return 0
        return self.home_from_week + offset_weeks

    @property
    def fields(self) -> tuple[str, ...]:
        if not self.sided:
            return (self.code,)
        return (f"{self.code}_injured", f"{self.code}_uninjured")


MEASURES: tuple[Measure, ...] = (
    Measure(
        code="heel_rise_reps",
        label=_("Single-leg heel rises"),
        unit=_("reps"),
        low=Decimal(0),
        high=Decimal(200),
        definition=_(
            "Single-leg heel rises to fatigue on each side, at a set tempo; "
            "LSI = injured ÷ uninjured × 100 (Silbernagel 2010, PMID 19690833)."
        ),
        home=True,
        # Single-leg heel raises, not before week 12 on either pathway (clinical.md §2).
        home_from_week=12,
    ),
    Measure(
        code="heel_rise_height_cm",
        label=_("Heel-rise height"),
        unit="cm",
        low=Decimal(0),
        high=Decimal(30),
        definition=_(
            "Maximum height of a single-leg heel rise on each side; "
            "LSI = injured ÷ uninjured × 100 (Carmont 2020, PMC7176605)."
        ),
        decimal=True,
    ),
    Measure(
        code="atra_deg",
        label=_("Achilles tendon resting angle (ATRA)"),
        unit="°",
        low=Decimal(-90),
        high=Decimal(90),
        definition=_(
            "Prone, knees bent 90°, the angle of the relaxed foot on each side; relative ATRA "
            "= uninjured − injured (negative: the injured ankle rests more dorsiflexed, a "
            "longer tendon). Only relative values compare between clinics (Carmont 2015, "
            "PMID 29264240)."
        ),
    ),
    Measure(
        code="knee_to_wall_cm",
        label=_("Knee-to-wall dorsiflexion"),
        unit="cm",
        low=Decimal(0),
        high=Decimal(30),
        definition=_(
            "Weight-bearing lunge: the longest distance from the big toe to the wall at which "
            "the knee still touches it, each side (calf stretching is for a measured deficit "
            "only)."
        ),
        decimal=True,
    ),
    Measure(
        code="calf_cm",
        label=_("Calf circumference"),
        unit="cm",
        low=Decimal(10),
        high=Decimal(80),
        definition=_(
            "Circumference at a fixed distance below the knee crease (the same distance each "
            "time), each side; reported as the difference between sides."
        ),
        home=True,
        decimal=True,
    ),
    Measure(
        code="toe_walk_5m",
        label=_("Walks 5 m on the toes"),
        unit="",
        low=Decimal(0),
        high=Decimal(1),
        definition=_("Walks 5 m on the toes without the heel dropping (Barfod 2016, PMC5127004)."),
        sided=False,
        home=True,
        # Walking on the toes: from weeks 12–16 (Barfod 2016, clinical.md §2).
        home_from_week=12,
    ),
)
MEASURES_BY_CODE = {m.code: m for m in MEASURES}
# Every stored value field of a measurement, in the form's order.
VALUE_FIELDS: tuple[str, ...] = tuple(f for m in MEASURES for f in m.fields)
NUMERIC_FIELDS: tuple[str, ...] = tuple(
    f for m in MEASURES if m.code != "toe_walk_5m" for f in m.fields
)
FIELD_MEASURE = {f: m for m in MEASURES for f in m.fields}
# What a patient can record at home (``Measure.home``), in the form's order.
HOME_FIELDS: tuple[str, ...] = tuple(f for m in MEASURES if m.home for f in m.fields)


def home_fields_by_week(week: int, *, offset_weeks: int = 0) -> tuple[str, ...]:
    """The home measures' fields a patient in ``week`` of their recovery may record, their
    risk modifiers moving the tests that wait for a week ``offset_weeks`` later
    (``Measure.home_week``; for a patient, ``guardrails.home_measure_fields``)."""
    return tuple(
        f for m in MEASURES if m.home and m.home_week(offset_weeks) <= week for f in m.fields
    )


def field_label(name: str) -> StrOrPromise:
    """A value field's label: "Heel-rise height, injured side (cm)", translated when shown."""
    m = FIELD_MEASURE[name]
    if not m.sided:
        return m.label
    side = _("injured side") if name.endswith("_injured") else _("other side")
    if m.unit:
        return format_lazy("{}, {} ({})", m.label, side, m.unit)
    return format_lazy("{}, {}", m.label, side)


@dataclass(frozen=True)
class Derived:
    """A value computed from a measurement: what an exit criterion can test."""

    code: str
    label: StrOrPromise
    unit: StrOrPromise


# What a criterion's "measurement threshold" can refer to (value ≥ threshold, except where
# ``DERIVED_AT_MOST`` says ≤).
DERIVED: tuple[Derived, ...] = (
    Derived("heel_rise_reps_lsi", _("Heel-rise repetitions LSI"), "%"),
    Derived("heel_rise_height_lsi", _("Heel-rise height LSI"), "%"),
    Derived("heel_rise_reps_injured", _("Single-leg heel rises, injured side"), _("reps")),
    Derived("relative_atra", _("Relative ATRA (uninjured − injured)"), "°"),
    Derived("knee_to_wall_difference", _("Knee-to-wall deficit (uninjured − injured)"), "cm"),
    Derived("calf_difference", _("Calf circumference deficit (uninjured − injured)"), "cm"),
    Derived("toe_walk_5m", _("Walks 5 m on the toes (1 = yes)"), ""),
)
DERIVED_BY_CODE = {d.code: d for d in DERIVED}
# Smaller is better for these (a deficit of the injured side): a criterion on them is met at or
# below its threshold. Not relative ATRA: a more negative one is a longer tendon (the injured
# ankle rests more dorsiflexed, clinical.md §3), so its criterion ("not more than 5° longer":
# −5°) is met at or above its threshold, like the others.
DERIVED_AT_MOST = frozenset({"knee_to_wall_difference", "calf_difference"})


def lsi(injured: Any, uninjured: Any) -> float | None:
    """Limb symmetry index, injured ÷ uninjured × 100, in per cent (None without both sides or
    with an uninjured side of 0)."""
    if injured is None or not uninjured:
        return None
    return float(round_half_up(decimal_of(injured) * 100 / decimal_of(uninjured), 1))


def difference(injured: Any, uninjured: Any) -> float | None:
    """Uninjured − injured (None without both sides)."""
    if injured is None or uninjured is None:
        return None
    return float(round_half_up(decimal_of(uninjured) - decimal_of(injured), 1))


def validate(values: dict[str, Any]) -> None:
    """Refuse impossible values with a message per field: out of range, or a limb symmetry
    index over ``LSI_MAX`` % (one side typed for the other, or a slip of the finger)."""
    errors: dict[str, list[ValidationError]] = {}
    for name in NUMERIC_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        m = FIELD_MEASURE[name]
        if value < m.low or value > m.high:
            errors.setdefault(name, []).append(
                ValidationError(
                    _("%(label)s must be between %(low)s and %(high)s %(unit)s."),
                    code="measurement_range",
                    params={"label": m.label, "low": m.low, "high": m.high, "unit": m.unit},
                )
            )
    for code in ("heel_rise_reps", "heel_rise_height_cm"):
        injured, uninjured = values.get(f"{code}_injured"), values.get(f"{code}_uninjured")
        index = lsi(injured, uninjured)
        if injured and uninjured == 0 and f"{code}_injured" not in errors:
            # No index against nothing: the sides are most likely swapped.
            errors.setdefault(f"{code}_injured", []).append(
                ValidationError(
                    _("The injured side is more than the other side's 0: check the sides."),
                    code="lsi_range",
                )
            )
        elif index is not None and index > LSI_MAX and f"{code}_injured" not in errors:
            errors.setdefault(f"{code}_injured", []).append(
                ValidationError(
                    _(
                        "The injured side is more than twice the other side (LSI %(lsi)s %%, "
                        "at most %(max)s %%): check the sides."
                    ),
                    code="lsi_range",
                    params={"lsi": index, "max": LSI_MAX},
                )
            )
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class MeasureRow:
    """One measurement of the latest record, for the clinician's table."""

    measure: Measure
    injured: Any
    uninjured: Any
    derived_label: StrOrPromise
    derived: float | None
    derived_unit: StrOrPromise


def measure_rows(measurement: Any) -> list[MeasureRow]:
    """The latest ``measurement``'s values by measure, with the computed LSI or difference
    (``measurement`` None: every measure, no values)."""

    def value(name: str) -> Any:
        return None if measurement is None else getattr(measurement, name)

    derived: dict[str, tuple[StrOrPromise, str, StrOrPromise]] = {
        "heel_rise_reps": (_("LSI"), "heel_rise_lsi", "%"),
        "heel_rise_height_cm": (_("LSI"), "heel_rise_height_lsi", "%"),
        "atra_deg": (_("Relative ATRA"), "relative_atra", "°"),
        "knee_to_wall_cm": (_("Difference"), "knee_to_wall_difference", "cm"),
        "calf_cm": (_("Difference"), "calf_difference", "cm"),
    }
    rows = []
    for m in MEASURES:
        label, attr, unit = derived.get(m.code, ("", "", ""))
        rows.append(
            MeasureRow(
                measure=m,
                injured=value(m.fields[0]),
                uninjured=value(m.fields[1]) if m.sided else None,
                derived_label=label,
                derived=value(attr) if attr else None,
                derived_unit=unit,
            )
        )
    return rows
