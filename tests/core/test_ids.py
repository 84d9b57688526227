"""A row's id from text (core.ids.as_id): ASCII digits that fit a bigint, else none."""

from __future__ import annotations

import pytest

from core.ids import as_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (42, 42),
        ("0", 0),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),  # past a bigint: no row, not a database error
        ("²", None),  # str.isdigit() says yes, int() says no
        ("１２", None),
        ("-1", None),
        ("1.5", None),
        (" 1", None),
        ("", None),
        (None, None),
        (True, None),
        ("a\x00", None),
    ],
)
def test_only_ascii_digits_are_an_id(value: object, expected: int | None) -> None:
    assert as_id(value) == expected
