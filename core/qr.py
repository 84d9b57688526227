"""QR codes drawn on the server as inline SVG (segno), for links a phone should open."""

from __future__ import annotations

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, label: str, css_class: str) -> SafeString:
    """``url`` as an inline SVG QR code, an image named ``label`` for screen readers."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=label, svgclass=css_class
    )
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's output; the only text in it is escaped
