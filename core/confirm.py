"""The question an action with consequences is first answered with ("Deactivate …?",
"Discharge …?"): what will happen, a "Yes, …" button that posts the same form again to the same
address with ``confirmed`` (``core.forms.ConfirmForm``), and Cancel, a link back. Plain HTML:
it works without JavaScript. The page is ``components/confirm_page.html`` or a template that
extends it and fills its ``consequences`` block."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirm_page(
    request: HttpRequest,
    template: str,
    *,
    question: str,
    yes: str,
    action_url: str,
    cancel_url: str,
    back_label: str,
    resend: Mapping[str, Any] | None = None,
    **context: Any,
) -> HttpResponse:
    """The question ``question`` (the page's title), with ``template``'s list of what will
    happen; "``yes``" posts ``resend`` (the first post's values, as hidden fields) and
    ``confirmed`` to ``action_url``; Cancel and the back link ``back_label`` go to
    ``cancel_url``."""
    return render(
        request,
        template,
        {
            "question": question,
            "yes": yes,
            "action_url": action_url,
            "cancel_url": cancel_url,
            "back_label": back_label,
            "resend": {name: value for name, value in (resend or {}).items() if value},
            **context,
        },
    )
