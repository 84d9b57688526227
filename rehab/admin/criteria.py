"""Exit criteria, dismissed proposals and the published reference points in the admin.

Staff edit the templates' criteria and the reference points (each with its source); the
criteria of patients' plans and the dismissals are written by the app: view-only here, and
kept (no deleting)."""

from __future__ import annotations

from django.contrib import admin

from rehab.admin.base import KeptRecordAdmin
from rehab.models.criteria import (
    CriterionJudgement,
    PlanCriterion,
    ProposalDismissal,
    ProtocolCriterion,
)
from rehab.models.references import ReferencePoint


@admin.register(ProtocolCriterion)
class ProtocolCriterionAdmin(admin.ModelAdmin[ProtocolCriterion]):
    list_display = ("phase", "order", "kind", "measure", "threshold", "label")
    list_select_related = ("phase__protocol",)
    list_filter = ("kind", "phase__protocol")
    search_fields = ("label", "phase__name", "phase__protocol__name")


@admin.register(PlanCriterion)
class PlanCriterionAdmin(KeptRecordAdmin):
    """A plan's exit criterion is part of the plan (kept, as the plan is): the builder changes
    a plan's criteria as a new version of it, never a completed plan's, and a judged one is a
    clinician's judgement the phase change rests on."""

    list_display = ("phase", "order", "kind", "measure", "threshold", "judged_met")
    list_select_related = ("phase__plan",)
    list_filter = ("kind",)


@admin.register(CriterionJudgement)
class CriterionJudgementAdmin(KeptRecordAdmin):
    """Each judgement a clinician gave of an exit criterion: the patient's record, kept."""

    list_display = ("plan", "phase_name", "criterion_text", "met", "by", "at")
    list_select_related = ("plan", "by")


@admin.register(ProposalDismissal)
class ProposalDismissalAdmin(KeptRecordAdmin):
    list_display = ("phase", "dismissed_at", "dismissed_by")
    list_select_related = ("phase__plan", "dismissed_by")


@admin.register(ReferencePoint)
class ReferencePointAdmin(admin.ModelAdmin[ReferencePoint]):
    list_display = ("measure", "cohort", "week", "value", "sd", "statistic", "source")
    list_filter = ("measure", "cohort")
    search_fields = ("source", "group")
