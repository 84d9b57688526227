"""The API's JSON parser: DRF's, with a body nested too deeply to read answered as malformed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

NESTED_TOO_DEEPLY = _("JSON parse error - the body is nested too deeply.")


class JSONParser(parsers.JSONParser):
    """``json`` reads a nested array or object by recursion, so ``[[[[…]]]]`` a few thousand
    deep raises ``RecursionError``, which DRF does not catch (a 500). It is malformed input:
    400 with the API's error body, like any other JSON that cannot be read."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(NESTED_TOO_DEEPLY) from None
