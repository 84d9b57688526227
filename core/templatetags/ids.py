"""``{{ row.pk|opaque }}``: a row's id as addresses show it (``core.ids.opaque``), for a page's
script that builds an address from it (``{% url %}`` writes it by itself)."""

from __future__ import annotations

from django import template

from core.ids import as_id
from core.ids import opaque as opaque_id

register = template.Library()


@register.filter
def opaque(value: object) -> str:
    """The opaque form of row id ``value``; empty for anything that is not an id."""
    number = as_id(value)
    return "" if number is None else opaque_id(number)
