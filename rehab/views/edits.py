"""Answering an edit on the plan builder (the plan, its phases and its exercises).

Each view fetches through an access helper (404 outside the clinic), validates a form and calls
one service. Edits answer an htmx request with the builder's body (the partial
``builder.html#builder_body``), and an ordinary POST with a redirect back to the builder, so the
page works without JavaScript too. A form with errors is shown again on the builder, in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab.models.plans import Plan
from rehab.selectors import builder as builder_selectors
from rehab.views.builder import (
    HtmxHttpRequest,
    builder_page_url,
    plan_for_builder,
    render_builder,
)


def _after_edit(
    request: HtmxHttpRequest,
    plan_pk: int,
    *,
    success: str = "",
    anchor: str = "",
    search: dict[str, str] | None = None,
) -> HttpResponse:
    """Done (or refused with a message): the fresh builder for htmx, else a redirect to it.

    ``anchor`` is the element the edit concerns: the redirect goes to it, and the htmx answer
    opens its phase and marks it for the page's script to bring into view."""
    if success:
        messages.success(request, success)
    if request.htmx:
        plan = plan_for_builder(request, plan_pk)
        return render_builder(request, plan, search=search, focus=anchor)
    return redirect(builder_page_url(plan_pk, anchor=anchor, search=search))


STALE_KEPT = _(
    "What you typed is kept below but not saved. Check the plan as it is now, then save again."
)


def _show_form_again(
    request: HtmxHttpRequest,
    plan_pk: int,
    form: forms.BaseForm,
    key: str,
    *,
    search: dict[str, str] | None = None,
    stale: ValidationError | None = None,
) -> HttpResponse:
    """The builder with ``form`` shown with its errors, where it was. Nothing was saved.

    A missing version is not the clinician's typing error: the page is simply out of date, so
    it is shown afresh with the message instead. A plan someone else changed meanwhile
    (``stale``) is shown as it is now, with ``form`` still holding what the clinician typed and
    the refusal beside it, saying what changed since (who, what, where, when); its version is
    the current one, so saving again is their choice.
    """
    if "version" in form.errors:
        for message in form.errors["version"]:
            messages.error(request, str(message))
        return _after_edit(request, plan_pk, search=search)
    plan = plan_for_builder(request, plan_pk)  # fresh: the failed edit rolled back
    if stale is not None:
        for message in stale.messages:
            form.add_error(None, f"{message} {STALE_KEPT}")
        for line in _changed_meanwhile(request, plan, form):
            form.add_error(None, line)
        data = request.POST.copy()  # what was typed, with the current version
        data[form.add_prefix("version")] = str(plan.version)
        form.data = data
    return render_builder(request, plan, bound={key: form}, search=search)


def _changed_meanwhile(request: HtmxHttpRequest, plan: Plan, form: forms.BaseForm) -> list[str]:
    """What changed in the plan since the version ``form`` was made against (a refused
    save's): who, what and when, for the clinician to see beside what they were doing."""
    seen = form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
    if not isinstance(seen, int):
        return []
    viewer = signed_in_user(request, User)
    return builder_selectors.changes_since(plan, version=seen, viewer=viewer)


def answer_edit(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    form: forms.BaseForm,
    key: str = "",
    action: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    anchor: str | Callable[[Any], str] = "",
    search: dict[str, str] | None = None,
) -> HttpResponse:
    """Validate ``form``, call the service in ``action``, and answer.

    With a ``key`` the form is shown again with its errors (and, if someone else changed the
    plan meanwhile, with what was typed kept); without one (buttons) errors become messages at
    the top of the builder. ``success`` and ``anchor`` may be functions of the service's result.
    """
    before = anchor if isinstance(anchor, str) else ""
    if not form.is_valid():
        if key:
            return _show_form_again(request, plan.pk, form, key, search=search)
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _after_edit(request, plan.pk, anchor=before, search=search)
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        stale = getattr(error, "code", None) == "stale_plan"
        if key:
            if not stale:
                add_service_errors(form, error)
            return _show_form_again(
                request, plan.pk, form, key, search=search, stale=error if stale else None
            )
        for message in error.messages:
            messages.error(request, message)
        if stale:
            for line in _changed_meanwhile(request, plan, form):
                messages.error(request, line)
        return _after_edit(request, plan.pk, anchor=before, search=search)
    message = success(result) if callable(success) else success
    after = anchor(result) if callable(anchor) else anchor
    return _after_edit(request, plan.pk, success=message, anchor=after, search=search)
