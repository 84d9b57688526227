"""Protocol templates: a versioned plan for one pathway, its phases and their items."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.models import Clinic
from core.resubmit import client_uuid_field, client_uuid_once
from core.validators import validate_visible
from rehab import clinical
from rehab.models.doses import DoseFields, value_range
from rehab.models.library import Exercise, Pathway, SlugManager


def template_exercises(clinic_id: int | None) -> Q:
    """The exercises a template of ``clinic_id`` may hold: the shared ones, and the clinic's own
    (a shared template, ``None``: the shared ones only). Never another clinic's: its text and
    photos would reach that template's clinicians and patients."""
    shared = Q(clinic__isnull=True)
    return shared if clinic_id is None else shared | Q(clinic_id=clinic_id)


def may_hold(template_clinic_id: int | None, exercise: Exercise) -> bool:
    """``template_exercises`` for one exercise."""
    return exercise.clinic_id is None or exercise.clinic_id == template_clinic_id


def not_holdable_error(exercise: Exercise, *, shared: bool) -> ValidationError:
    """Why a template cannot hold ``exercise`` (``may_hold`` is false), in the clinician's words."""
    if shared:
        message = _(
            "%(exercise)s is one clinic's own exercise: a shared template, offered to every "
            "clinic, may hold only shared exercises."
        )
    else:
        message = _(
            "%(exercise)s is another clinic's own exercise: a clinic's template may hold only "
            "shared exercises and the clinic's own."
        )
    return ValidationError(message % {"exercise": exercise.name}, code="other_clinic_exercise")


class ProtocolPhaseManager(models.Manager["ProtocolPhase"]):
    def get_by_natural_key(self, protocol_slug: str, order: int) -> ProtocolPhase:
        return self.get(protocol__slug=protocol_slug, order=order)


class ProtocolItemManager(models.Manager["ProtocolItem"]):
    def get_by_natural_key(self, protocol_slug: str, phase_order: int, order: int) -> ProtocolItem:
        return self.get(phase__protocol__slug=protocol_slug, phase__order=phase_order, order=order)


# The fields of a phase (``PhaseFields``) a clinician writes, in their order ("order" aside).
PHASE_FIELD_NAMES = (
    "name",
    "start_week",
    "end_week",
    "goals",
    "precautions",
    "weight_bearing",
    "boot",
    "wedges",
    "exit_criteria",
    "patient_name",
    "patient_summary",
    "patient_care",
)


@dataclass(frozen=True)
class PatientPhaseText:
    """A phase as a patient reads it (``PhaseFields.patient_text``)."""

    name: str
    summary: str
    care: list[str]


class PhaseFields(models.Model):
    """What a protocol phase and a plan phase share."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=150, validators=[validate_visible])
    start_week = models.PositiveSmallIntegerField(
        _("start week"), validators=value_range(0, clinical.WEEK_MAX)
    )
    end_week = models.PositiveSmallIntegerField(
        _("end week"),
        validators=value_range(0, clinical.WEEK_MAX),
        help_text=_("The phase runs up to the start of this week."),
    )
    goals = models.TextField(_("goals"), blank=True)
    precautions = models.TextField(
        _("precautions"), blank=True, help_text=_("E.g. weight bearing, boot, wedges.")
    )
    weight_bearing = models.CharField(_("weight bearing"), max_length=200, blank=True)
    boot = models.CharField(_("boot"), max_length=200, blank=True)
    wedges = models.CharField(_("heel wedges"), max_length=200, blank=True)
    exit_criteria = models.TextField(
        _("exit criteria"), blank=True, help_text=_("One criterion per line.")
    )
    # The patient's voice: plain words, no citations, no jargon (the fields above are the
    # clinician's, with the exact terms and sources; patients never see them).
    patient_name = models.CharField(
        _("name for the patient"),
        max_length=150,
        blank=True,
        validators=[validate_visible],
        help_text=_("In plain words; empty: the name above."),
    )
    patient_summary = models.TextField(
        _("what this phase is for, for the patient"),
        blank=True,
        help_text=_("Plain words, no citations or jargon: what the patient works on now."),
    )
    patient_care = models.TextField(
        _("take care, for the patient"),
        blank=True,
        help_text=_(
            "One instruction per line, in plain words: the boot, putting weight on the leg, "
            "the wedges or heel lift and when to stop it, what to avoid."
        ),
    )

    # A phase's care instructions, as patients and clinicians read them, in this order.
    CARE_FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("weight_bearing", _("Weight bearing")),
        ("boot", _("Boot")),
        ("wedges", _("Heel wedges")),
        ("precautions", _("Precautions")),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_week__gt=F("start_week")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end week must be after the start week."),
            ),
        ]

    def care(self) -> list[tuple[Any, str]]:
        """The care instructions given: (label, text) for each, in ``CARE_FIELDS``' order."""
        return [
            (label, getattr(self, name)) for name, label in self.CARE_FIELDS if getattr(self, name)
        ]

    def clean(self) -> None:
        super().clean()
        if (
            self.start_week is not None
            and self.end_week is not None
            and self.end_week <= self.start_week
        ):
            raise ValidationError({"end_week": _("The end week must be after the start week.")})

    @property
    def patient_display_name(self) -> str:
        """The name a patient reads (``patient_text.name``), from the two name fields only."""
        return self.patient_name or self.name

    @property
    def patient_text(self) -> PatientPhaseText:
        """What a patient reads of this phase: plain words only."""
        return PatientPhaseText(
            name=self.patient_display_name,
            summary=self.patient_summary,
            care=[line.strip() for line in self.patient_care.splitlines() if line.strip()],
        )

    @property
    def exit_criteria_list(self) -> list[str]:
        return [line.strip() for line in self.exit_criteria.splitlines() if line.strip()]


# A template's name at most (its field; ``rehab.services.template_names`` suffixes " (copy)").
PROTOCOL_NAME_MAX_LENGTH = 200


class Protocol(models.Model):
    """A template plan for one pathway, from a cited source.

    A clinic's template is versioned: all its versions share a ``lineage``; the current one is
    published; an edit is made on a draft of the next version, which replaces the current one
    when it is published (the old one is then ``superseded_at``). A plan keeps its own copy of
    the version it was made from. Shared templates are edited by site staff in the admin.
    """

    name = models.CharField(
        _("name"), max_length=PROTOCOL_NAME_MAX_LENGTH, validators=[validate_visible]
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway)
    summary = models.TextField(_("summary"), blank=True)
    source = models.TextField(_("source"))
    version = models.CharField(_("version"), max_length=20, default="1")
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        help_text=_("Empty for a shared template."),
    )
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Offered for new plans.")
    )
    lineage = models.UUIDField(
        _("template"),
        default=uuid.uuid4,
        db_index=True,
        editable=False,
        help_text=_("Shared by every version of one template."),
    )
    is_draft = models.BooleanField(
        _("draft"), default=False, help_text=_("The next version, being edited.")
    )
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Made by the "Save as a template" page once: the same page sent again, however late,
    # finds this template instead of adding a second (``services.protocols.protocol_from_plan``).
    # Null on other templates (then only the same template saved within seconds is a repeat).
    client_uuid = client_uuid_field(
        _(
            "Made by the form once per new template: sent again, it finds this template "
            "instead of adding a second."
        )
    )

    objects = SlugManager()
    history = HistoricalRecords(excluded_fields=["updated_at", "client_uuid"])

    class Meta:
        verbose_name = _("protocol template")
        verbose_name_plural = _("protocol templates")
        ordering = ["pathway", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pathway__in=["operative", "non_operative"]),
                name="rehab_protocol_pathway_valid",
            ),
            models.CheckConstraint(
                condition=Q(is_draft=False) | Q(is_published=False, clinic__isnull=False),
                name="rehab_protocol_draft_is_clinic_own_unpublished",
            ),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(is_draft=True),
                name="rehab_protocol_one_draft_per_template",
            ),
            client_uuid_once("rehab_protocol_client_uuid_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ProtocolPhase(PhaseFields):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="phases")
    # When it was added (empty on rows older than it): the same phase sent again moments later
    # is the same form (``core.resubmit``).
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)

    objects = ProtocolPhaseManager()
    history = HistoricalRecords()

    class Meta(PhaseFields.Meta):
        verbose_name = _("protocol phase")
        verbose_name_plural = _("protocol phases")
        ordering = ["protocol", "order"]
        constraints = [
            *PhaseFields.Meta.constraints,
            models.UniqueConstraint(
                fields=["protocol", "order"], name="rehab_protocolphase_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.name}: {self.name}"

    def natural_key(self) -> tuple[str, int]:
        return (self.protocol.slug, self.order)


class ProtocolItem(DoseFields):
    phase = models.ForeignKey(ProtocolPhase, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.TextField(_("note to the patient"), blank=True)
    # As ``ProtocolPhase.created_at``.
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)

    objects = ProtocolItemManager()
    history = HistoricalRecords()

    class Meta(DoseFields.Meta):
        verbose_name = _("protocol item")
        verbose_name_plural = _("protocol items")
        ordering = ["phase", "order"]
        constraints = [
            *DoseFields.Meta.constraints,
            models.UniqueConstraint(fields=["phase", "order"], name="rehab_protocolitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dose_text()})"

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.phase.natural_key(), self.order)

    @property
    def is_advice(self) -> bool:
        """Its exercise is advice to read (``Exercise.is_advice``)."""
        return self.exercise_id is not None and self.exercise.is_advice

    def clean(self) -> None:
        super().clean()
        # The phase may be an unsaved one being edited with its items (the admin's inline).
        if self.exercise_id is None or not (
            self.phase_id is not None or ProtocolItem.phase.is_cached(self)
        ):
            return
        phase = self.phase
        if phase.protocol_id is None and not ProtocolPhase.protocol.is_cached(phase):
            return
        clinic_id = phase.protocol.clinic_id
        if not may_hold(clinic_id, self.exercise):
            raise ValidationError(
                {"exercise": not_holdable_error(self.exercise, shared=clinic_id is None)}
            )
