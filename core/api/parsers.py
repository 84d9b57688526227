"""The API's JSON parser: DRF's, with a body nested too deeply to read, or holding a ``\\u``
escape that is no character, answered as malformed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.jsonbody import is_text

NESTED_TOO_DEEPLY = _("JSON parse error - the body is nested too deeply.")
NOT_A_CHARACTER = _(
    "JSON parse error - the body has a \\u escape that is not a character "
    "(half of a surrogate pair, \\ud800 to \\udfff, on its own)."
)


class JSONParser(parsers.JSONParser):
    """``json`` reads a nested array or object by recursion, so ``[[[[…]]]]`` a few thousand
    deep raises ``RecursionError``, which DRF does not catch (a 500). It is malformed input:
    400 with the API's error body, like any other JSON that cannot be read.

    ``json`` also reads ``"\\ud800"`` (half of a surrogate pair, alone) into a string that is
    not text: it cannot be encoded, so an answer that quotes it (a refused choice, an unknown
    key) failed to render (a 500). Such a body is refused whole, whichever field holds it."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            text = is_text(data)
        except RecursionError:
            raise ParseError(NESTED_TOO_DEEPLY) from None
        if not text:
            raise ParseError(NOT_A_CHARACTER)
        return data
