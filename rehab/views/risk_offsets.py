"""The clinic's risk-factor offsets (clinical.md §7), a section of the clinic's settings: its
clinic admins only (anyone else: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from clinic.access import clinic_admin_required, clinic_for, touch_patients_of
from clinic.models import User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab import risk
from rehab.forms.risk import RiskOffsetsForm
from rehab.services import risk as risk_services


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def risk_offsets(request: HttpRequest) -> HttpResponse:
    """The offsets, each with its modifier's default and caution. A save that raises one so
    that exercises in plans in care would start before their earliest safe week without a
    recorded reason first lists them, to confirm (nothing saved); confirmed, it is saved and
    their physiotherapists are alerted (``risk_services.risk_offsets_update``)."""
    clinic = clinic_for(request.user)
    form = RiskOffsetsForm(request.POST or None, offsets=risk.clinic_offsets(clinic))
    now_early: list[risk_services.PlanNowEarly] = []
    if request.method == "POST" and form.is_valid():
        now_early = risk_services.risk_offsets_now_early(clinic=clinic, weeks=form.weeks())
        shown = {p.prescription.pk for each in now_early for p in each.placements}
        if shown <= form.cleaned_data["confirmed"]:
            try:
                alerted = risk_services.risk_offsets_update(
                    clinic=clinic,
                    weeks=form.weeks(),
                    changed_by=signed_in_user(request, User),
                    confirmed=form.cleaned_data["confirmed"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                now_early = risk_services.risk_offsets_now_early(clinic=clinic, weeks=form.weeks())
            else:
                touch_patients_of(each.plan.patient for each in alerted)
                messages.success(request, _("The risk-factor offsets are saved."))
                if alerted:
                    messages.warning(
                        request,
                        ngettext(
                            "The physiotherapist of %(n)s patient is alerted.",
                            "The physiotherapists of %(n)s patients are alerted.",
                            len(alerted),
                        )
                        % {"n": len(alerted)},
                    )
                return redirect("rehab:risk_offsets")
    # The plans to confirm name their patients: the audit trail records each.
    touch_patients_of(each.plan.patient for each in now_early)
    return render(
        request,
        "rehab/risk_offsets.html",
        {
            "title": _("Risk-factor offsets"),
            "form": form,
            "now_early": now_early,
            "weeks_max": risk.WEEKS_MAX,
            "source": risk.SOURCE,
        },
        status=400 if form.errors else 200,
    )
