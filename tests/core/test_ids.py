"""A row's id from text (core.ids.as_id): ASCII digits that fit a bigint, else none; and in a URL,
opaque (core.ids.opaque)."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.urls import Resolver404, resolve, reverse

from core.ids import OPAQUE_MIN_LENGTH, as_id, from_opaque, opaque


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


def test_an_opaque_id_round_trips_and_hides_the_number() -> None:
    assert from_opaque(opaque(17)) == 17
    assert from_opaque(opaque(10**17)) == 10**17
    assert len(opaque(1)) >= OPAQUE_MIN_LENGTH
    assert "17" not in opaque(17)
    assert opaque(17) != opaque(18)


def test_an_opaque_id_depends_on_the_secret_key(settings: Any) -> None:
    before = opaque(17)
    settings.SECRET_KEY = "another key for this test only, long enough to be a key"
    assert opaque(17) != before
    assert from_opaque(before) != 17  # the old address finds nothing (or another string)


@pytest.mark.parametrize("text", ["", "17", "a" * 8, "abc-defgh", "ÄbcdefghI", "1" * 40, "x\n"])
def test_only_an_id_s_own_string_is_taken(text: str) -> None:
    number = from_opaque(text)
    assert number is None or opaque(number) == text


def test_urls_take_and_give_row_ids() -> None:
    url = reverse("clinic:patient_edit", args=[17])
    assert "/17/" not in url
    match = resolve(url)
    assert match.kwargs["pk"] == 17
    with pytest.raises(Resolver404):
        resolve("/clinic/patients/17/edit/")


def test_the_template_filter_gives_the_url_form() -> None:
    rendered = Template("{% load ids %}{{ pk|opaque }}|{{ none|opaque }}").render(
        Context({"pk": 17, "none": None})
    )
    assert rendered == f"{opaque(17)}|"
