"""The dashboard's "ready to progress" proposals and overdue phases, as an inclusion tag so the
dashboard's view stays as it is (``{% load rehab_criteria %}{% progress_proposals %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.access import clinic_for
from rehab.forms.criteria import DismissForm
from rehab.selectors import criteria as criteria_selectors

register = template.Library()


@register.inclusion_tag("rehab/dashboard/_proposals_list.html", takes_context=True)
def progress_proposals(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    clinic = clinic_for(request.user)
    return {
        "proposals": criteria_selectors.proposals_for_clinic(clinic.pk),
        "dismiss_form": DismissForm(),
        "next": request.get_full_path(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
