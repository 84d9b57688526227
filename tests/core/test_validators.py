"""A name needs a character that is drawn: only spaces, controls or format characters are
refused; an empty value is the field's own business."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from core.validators import validate_visible

INVISIBLE = [
    "\u200b",  # ZERO WIDTH SPACE (Cf)
    "\u200c\u200d",  # ZERO WIDTH NON-JOINER, JOINER (Cf)
    "\u2060",  # WORD JOINER (Cf)
    "\ufeff",  # BYTE ORDER MARK (Cf)
    "\u00ad",  # SOFT HYPHEN (Cf)
    "\u200e\u202e",  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT OVERRIDE (Cf)
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A (Cf)
    "\u200b \u00ad",  # with an ordinary space (Zs)
    "\u00a0\u3000\u2009",  # no-break, ideographic and thin spaces (Zs)
    "\u2028\u2029",  # LINE and PARAGRAPH SEPARATOR (Zl, Zp)
    "\t\x00\x7f\x85",  # controls (Cc)
    "\u3164\u115f",  # HANGUL FILLER, CHOSEONG FILLER (Lo, but default ignorable)
    "\ufe0f\u034f",  # VARIATION SELECTOR-16, COMBINING GRAPHEME JOINER (Mn, default ignorable)
]

VISIBLE = [
    "Zoë",
    "O'Neil",
    "李",
    "Ana\u200dMaria",  # a zero-width joiner inside a word
    "\u200bAna",
    "Nguyễn",
    "Ørsted-Møller",
    "محمد",
    "7",
    "-",
    ".",
    "e\u0301",  # a letter and its combining accent
]


@pytest.mark.parametrize("value", INVISIBLE)
def test_a_value_of_only_invisible_characters_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_visible(value)
    assert raised.value.code == "invisible"
    assert raised.value.messages == [
        "Enter a name with letters in it, not only spaces or invisible characters."
    ]


def test_the_refused_values_cover_each_category() -> None:
    categories = {unicodedata.category(char) for value in INVISIBLE for char in value}
    assert {"Zs", "Zl", "Zp", "Cc", "Cf"} <= categories


@pytest.mark.parametrize("value", VISIBLE)
def test_a_value_with_a_visible_character_is_accepted(value: str) -> None:
    validate_visible(value)


def test_an_empty_value_is_left_to_the_field() -> None:
    validate_visible("")
