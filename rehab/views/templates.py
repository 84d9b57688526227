"""Templates on the clinic's pages: the shared and the clinic's own, a template's page with its
versions, editing a draft of the next version, publishing it, and saving a patient's plan as a
template. Clinicians only (the history: clinic admins); another clinic's template is a 404.

Every edit is a POST answered with a redirect back to the template's page, with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinic_admin_required, clinician_of, clinician_required
from clinic.models import User
from core.forms import add_service_errors, message_service_errors
from core.users import signed_in_user
from rehab.access import (
    exercises_for,
    get_own_protocol_for_clinician,
    get_own_template_item_for_clinician,
    get_own_template_phase_for_clinician,
    get_plan_for_clinician,
    get_protocol,
    protocols_for,
)
from rehab.forms.protocols import (
    DiscardDraftForm,
    SaveAsTemplateForm,
    TemplateDetailsForm,
    TemplateItemAddForm,
    TemplateItemForm,
    TemplatePhaseForm,
    exercise_groups,
)
from rehab.models.protocols import Protocol
from rehab.selectors import history as history_selectors
from rehab.services import protocols as template_services
from rehab.services import template_rules
from rehab.services.template_names import proposed_template_name


@clinician_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    """The shared templates and the clinic's own (current versions, drafts, archived)."""
    templates = (
        protocols_for(request.user)
        .filter(superseded_at__isnull=True)
        .annotate(plan_count=Count("plans"))
        .order_by(F("clinic").asc(nulls_first=True), "pathway", "name")
    )
    return render(request, "rehab/templates/list.html", {"templates": list(templates)})


def _template_page(request: HttpRequest, protocol: Protocol, **forms: Any) -> HttpResponse:
    user = signed_in_user(request, User)
    clinician = clinician_of(user)
    phases = list(protocol.phases.prefetch_related("items__exercise").order_by("order"))
    editing = protocol.is_draft
    exercises = exercises_for(user).filter(is_published=True)
    groups = exercise_groups(exercises) if editing else []  # one read for every phase's picker
    phase_views = [
        {
            "phase": phase,
            "form": forms.get(f"phase-{phase.pk}")
            or (TemplatePhaseForm(instance=phase, prefix=f"phase-{phase.pk}") if editing else None),
            "add_form": TemplateItemAddForm(
                prefix=f"add-{phase.pk}", exercises=exercises, groups=groups
            )
            if editing
            else None,
            "items": [
                {
                    "item": item,
                    "form": TemplateItemForm(instance=item, prefix=f"item-{item.pk}")
                    if editing
                    else None,
                }
                for item in phase.items.all()
            ],
        }
        for phase in phases
    ]
    versions = (
        Protocol.objects.filter(lineage=protocol.lineage)
        .annotate(plan_count=Count("plans"))
        .order_by("-created_at", "-pk")
        if protocol.clinic_id
        else []
    )
    draft = (
        Protocol.objects.filter(lineage=protocol.lineage, is_draft=True).first()
        if protocol.clinic_id and not protocol.is_draft
        else None
    )
    return render(
        request,
        "rehab/templates/detail.html",
        {
            "template": protocol,
            "own": clinician is not None and protocol.clinic_id == clinician.clinic_id,
            "is_clinic_admin": clinician is not None and clinician.is_clinic_admin,
            "editing": editing,
            "draft": draft,
            "phase_views": phase_views,
            "versions": list(versions),
            "details_form": forms.get("details")
            or (TemplateDetailsForm(instance=protocol) if editing else None),
            "new_phase_form": forms.get("new-phase")
            or (TemplatePhaseForm(prefix="new-phase") if editing else None),
        },
        status=400 if forms else 200,
    )


@clinician_required
@require_GET
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_page(request, get_protocol(request.user, pk))


def _done(request: HttpRequest, protocol: Protocol, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    response = redirect("rehab:template_detail", pk=protocol.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request: HttpRequest, protocol: Protocol, error: ValidationError) -> HttpResponse:
    message_service_errors(request, error)
    return redirect("rehab:template_detail", pk=protocol.pk)


def _run(
    request: HttpRequest, protocol: Protocol, action: Callable[[], Any], success: str
) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        return _refused(request, protocol, error)
    return _done(request, protocol, success)


@clinician_required
@require_POST
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or go back to) the draft of the template's next version."""
    protocol = get_own_protocol_for_clinician(request.user, pk)
    try:
        draft = template_services.template_draft(
            protocol=protocol, created_by=signed_in_user(request, User)
        )
    except ValidationError as error:
        return _refused(request, protocol, error)
    return _done(
        request,
        draft,
        _("This is the draft of version %(v)s: change it, then publish it.") % {"v": draft.version},
    )


@clinician_required
@require_POST
def template_publish(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_own_protocol_for_clinician(request.user, pk)
    return _run(
        request,
        draft,
        lambda: template_services.template_publish(draft=draft),
        _("Version %(v)s is published: new plans use it; plans made before keep their copy.")
        % {"v": draft.version},
    )


@clinician_required
@require_POST
def template_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """The button: the question "Discard the draft …?"; its "Yes, discard the draft"
    (``confirmed``): the draft deleted. Not a draft: the service's refusal."""
    draft = get_own_protocol_for_clinician(request.user, pk)
    form = DiscardDraftForm(request.POST)
    if draft.is_draft and not (form.is_valid() and form.cleaned_data["confirmed"]):
        return render(request, "rehab/templates/discard_confirm.html", {"template": draft})
    current = (
        Protocol.objects.filter(lineage=draft.lineage, is_draft=False)
        .order_by(F("superseded_at").desc(nulls_first=True), "-pk")
        .first()
    )
    try:
        template_services.template_discard(draft=draft)
    except ValidationError as error:
        return _refused(request, draft, error)
    messages.success(request, _("The draft is discarded."))
    if current is None:
        return redirect("rehab:template_list")
    return redirect("rehab:template_detail", pk=current.pk)


def _archive(request: HttpRequest, pk: int, *, archived: bool) -> HttpResponse:
    protocol = get_own_protocol_for_clinician(request.user, pk)
    return _run(
        request,
        protocol,
        lambda: template_services.template_archive(protocol=protocol, archived=archived),
        _("The template is archived: it is no longer offered for new plans.")
        if archived
        else _("The template is offered for new plans again."),
    )


@clinician_required
@require_POST
def template_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive(request, pk, archived=True)


@clinician_required
@require_POST
def template_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive(request, pk, archived=False)


def _form_edit(
    request: HttpRequest,
    protocol: Protocol,
    *,
    form: Any,
    key: str,
    action: Callable[[dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    """Validate ``form``, run the service; on an error, the page again with the form."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, protocol, success)
    return _template_page(request, protocol, **{key: form})


@clinician_required
@require_POST
def template_details(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_own_protocol_for_clinician(request.user, pk)
    form = TemplateDetailsForm(request.POST, instance=Protocol(pathway=draft.pathway))
    return _form_edit(
        request,
        draft,
        form=form,
        key="details",
        action=lambda data: template_services.template_update(draft=draft, **data),
        success=_("Saved."),
    )


@clinician_required
@require_POST
def template_phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_own_protocol_for_clinician(request.user, pk)
    form = TemplatePhaseForm(request.POST, prefix="new-phase")
    form.instance.protocol = draft
    return _form_edit(
        request,
        draft,
        form=form,
        key="new-phase",
        action=lambda data: template_services.template_phase_add(draft=draft, **data),
        success=_("Phase added."),
    )


@clinician_required
@require_POST
def template_phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_own_template_phase_for_clinician(request.user, pk)
    original = type(phase).objects.get(pk=phase.pk)
    form = TemplatePhaseForm(request.POST, instance=original, prefix=f"phase-{phase.pk}")
    return _form_edit(
        request,
        phase.protocol,
        form=form,
        key=f"phase-{phase.pk}",
        action=lambda data: template_services.template_phase_update(phase=phase, **data),
        success=_("Phase saved."),
    )


@clinician_required
@require_POST
def template_phase_remove(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_own_template_phase_for_clinician(request.user, pk)
    return _run(
        request,
        phase.protocol,
        lambda: template_services.template_phase_remove(phase=phase),
        _("Phase removed."),
    )


@clinician_required
@require_POST
def template_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_own_template_phase_for_clinician(request.user, pk)
    form = TemplateItemAddForm(
        request.POST,
        prefix=f"add-{phase.pk}",
        exercises=exercises_for(request.user).filter(is_published=True),
    )
    if not form.is_valid():
        return _refused(
            request, phase.protocol, ValidationError(_("Choose an exercise from the list."))
        )
    return _run(
        request,
        phase.protocol,
        lambda: template_services.template_item_add(
            phase=phase, exercise=form.cleaned_data["exercise"]
        ),
        _("Exercise added."),
    )


def _named_errors(form: BaseForm, exercise: str) -> ValidationError:
    """The form's errors, each as "<exercise> – <field>: <message>" (or "<exercise>: …")."""
    lines = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for message in errors:
            if field is None:
                lines.append(
                    _("%(exercise)s: %(message)s") % {"exercise": exercise, "message": message}
                )
            else:
                lines.append(
                    _("%(exercise)s – %(field)s: %(message)s")
                    % {"exercise": exercise, "field": field.label, "message": message}
                )
    return ValidationError(lines)


@clinician_required
@require_POST
def template_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_own_template_item_for_clinician(request.user, pk)
    form = TemplateItemForm(request.POST, instance=type(item)(), prefix=f"item-{item.pk}")
    if not form.is_valid():
        # Said at the top of the page, away from the form: which exercise, which field.
        return _refused(request, item.phase.protocol, _named_errors(form, item.exercise.name))
    return _run(
        request,
        item.phase.protocol,
        lambda: template_services.template_item_update(item=item, **form.cleaned_data),
        _("Dose saved."),
    )


@clinician_required
@require_POST
def template_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_own_template_item_for_clinician(request.user, pk)
    return _run(
        request,
        item.phase.protocol,
        lambda: template_services.template_item_remove(item=item),
        _("Exercise removed."),
    )


@clinic_admin_required
@require_GET
def template_history(request: HttpRequest, pk: int) -> HttpResponse:
    protocol = get_own_protocol_for_clinician(request.user, pk)
    return render(
        request,
        "rehab/library/history.html",
        {
            "title": protocol.name,
            "back_url": "rehab:template_detail",
            "back_pk": protocol.pk,
            "changes": history_selectors.template_changes(protocol),
        },
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def plan_save_as_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a patient's plan (its phases, exercises, doses and notes; nothing else of the
    patient) as a new template of the clinic."""
    user = signed_in_user(request, User)
    plan = get_plan_for_clinician(user, pk, also=("protocol",))
    early = template_rules.early_prescriptions(plan)
    if request.method == "POST":
        form = SaveAsTemplateForm(request.POST)
    else:
        form = SaveAsTemplateForm(initial={"name": proposed_template_name(plan)})
    if form.is_bound and form.is_valid():
        try:
            protocol = template_services.protocol_from_plan(
                plan=plan,
                name=form.cleaned_data["name"],
                created_by=user,
                leave_out_early=form.cleaned_data["leave_out_early"],
                client_uuid=form.cleaned_data["client_uuid"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(
                request,
                protocol,
                _("Saved as your clinic's template: it is offered for new plans."),
            )
    return render(
        request,
        "rehab/templates/save_from_plan.html",
        {"plan": plan, "patient": plan.patient, "form": form, "early": early},
        status=400 if form.errors else 200,
    )
