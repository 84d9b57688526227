"""Numbers as people read them: rounded half up (62.5 % reads 63 %, 0.5 reads 1), as a person
rounds and as the templates' ``floatformat`` does, not half to even as Python's ``round()``
does (62.5 → 62, 0.5 → 0), and computed in decimal, so that 84.25 is not a float just below it.

The one way a percentage shown to a person is computed: the pages, the API and the export
give the same number."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

type Number = Decimal | int | float


def decimal_of(value: Number) -> Decimal:
    """``value`` as a decimal; a float by its shortest repr (84.25, not the binary
    84.2499999…)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """``value`` rounded to ``places`` decimal places, a half away from zero."""
    return decimal_of(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: Number, whole: Number, *, places: int = 0) -> Decimal | None:
    """``part`` of ``whole`` in per cent, rounded half up to ``places`` decimal places; None
    when ``whole`` is 0 (no percentage of nothing)."""
    if not whole:
        return None
    return round_half_up(decimal_of(part) * 100 / decimal_of(whole), places)
