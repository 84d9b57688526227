"""Numbers as people read them: halves round up, not to even."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.numbers import percent, round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.5, 0, Decimal(1)),
        (1.5, 0, Decimal(2)),
        (2.5, 0, Decimal(3)),
        (62.5, 0, Decimal(63)),
        (84.25, 1, Decimal("84.3")),  # the float is a hair below 84.25
        (Decimal("6.25"), 1, Decimal("6.3")),
        (62.4, 0, Decimal(62)),
    ],
)
def test_halves_round_up(value: float | Decimal, places: int, expected: Decimal) -> None:
    assert round_half_up(value, places) == expected


def test_a_percentage_rounds_half_up_and_none_of_nothing() -> None:
    assert percent(5, 8) == 63  # 62.5 %
    assert percent(1, 200) == 1  # 0.5 %
    assert percent(1, 16, places=1) == Decimal("6.3")  # 6.25 %
    assert percent(337, 400, places=1) == Decimal("84.3")  # 84.25 %
    assert percent(3, 0) is None
