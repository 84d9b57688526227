"""``{{ row.user_agent|browser_label }}``: a user-agent string in words (``core.browsers``)."""

from __future__ import annotations

from django import template

from core.browsers import browser_label as label

register = template.Library()


@register.filter
def browser_label(user_agent: object) -> str:
    return label(str(user_agent or ""))
