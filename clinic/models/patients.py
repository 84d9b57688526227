"""Patients: their record, the details a clinician keeps, and the queries over them."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Contains, Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models.clinics import Clinic, Clinician, validate_timezone
from core import dates
from core.text import fold
from core.validators import validate_visible

PATIENT_DETAILS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "injured_side",
    "injury_date",
    "pathway",
    "surgery_date",
    "timezone",
    "therapist",
)

ERASED_MESSAGE = _(
    "This patient's record was erased. It is kept anonymised for the clinic's figures; "
    "nothing can be changed or added, and the patient cannot be contacted or invited again."
)


class PatientQuerySet(models.QuerySet["Patient"]):
    def matching(self, text: str, *, email: bool = False) -> PatientQuerySet:
        """The patients whose first or last name (or email, with ``email``) contains each word
        of ``text``, letter case and accents ignored ("castaneda" finds "Castañeda") on
        PostgreSQL and SQLite alike (``core.text.fold``)."""
        fields = ["first_name", "last_name", *(["email"] if email else [])]
        rows = self
        for word in text.split():
            term = fold(word)
            rows = rows.filter(
                functools.reduce(
                    operator.or_, (Q(Contains(fold(F(field)), term)) for field in fields)
                )
            )
        return rows

    def same_person(
        self, *, first_name: str, last_name: str, date_of_birth: dt.date | None
    ) -> PatientQuerySet:
        """The patients with this name (case and accents ignored) and date of birth (both
        unknown counts as the same): most likely the same person registered twice."""
        return self.filter(
            Exact(fold(F("first_name")), fold(first_name.strip())),
            Exact(fold(F("last_name")), fold(last_name.strip())),
            date_of_birth=date_of_birth,
        )


class Patient(models.Model):
    class Side(models.TextChoices):
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")

    class Pathway(models.TextChoices):
        OPERATIVE = "operative", _("Operative (surgical repair)")
        NON_OPERATIVE = "non_operative", _("Non-operative (functional treatment)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISCHARGED = "discharged", _("Discharged")
        ARCHIVED = "archived", _("Archived")

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        help_text=_("Set when the patient accepts their invitation."),
    )
    first_name = models.CharField(_("first name"), max_length=100, validators=[validate_visible])
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_visible])
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    injured_side = models.CharField(_("injured side"), max_length=5, choices=Side)
    injury_date = models.DateField(_("injury date"))
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway)
    surgery_date = models.DateField(
        _("surgery date"),
        null=True,
        blank=True,
        help_text=_("Required for the operative pathway; not before the injury."),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_timezone]
    )
    therapist = models.ForeignKey(
        Clinician,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name=_("physiotherapist"),
        help_text=_("The clinician who looks after this patient; empty: unassigned."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    # Risk modifiers (clinical.md §7): each may shift the earliest safe weeks of exercises
    # (the offsets and cautions are rehab's: rehab.risk). Age comes from the date of birth.
    risk_rerupture_or_revision = models.BooleanField(
        _("re-rupture or revision surgery"), default=False
    )
    risk_augmentation = models.BooleanField(_("augmented repair"), default=False)
    risk_insertional_or_anchor = models.BooleanField(
        _("insertional or anchor repair"), default=False
    )
    risk_diabetes = models.BooleanField(_("diabetes"), default=False)
    risk_corticosteroids = models.BooleanField(
        _("systemic or local corticosteroids"), default=False
    )
    risk_fluoroquinolones = models.BooleanField(_("fluoroquinolone use"), default=False)
    risk_smoking = models.BooleanField(_("smoking"), default=False)
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When a clinic admin erased the record (rehab.services.records.patient_erase): "
            "it stays, anonymised and archived, and nothing more can be done with it."
        ),
    )
    client_uuid = models.UUIDField(
        _("client id"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_(
            "Made by the form (or an API client) once per registration: sent again, "
            "it finds this patient instead of adding a second."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["clinic", "status", "last_name"], name="clinic_pat_clinic_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pathway="non_operative") | Q(surgery_date__isnull=False),
                name="clinic_patient_operative_needs_surgery_date",
                violation_error_message=_("An operative patient needs a surgery date."),
            ),
            models.CheckConstraint(
                condition=Q(surgery_date__isnull=True) | Q(surgery_date__gte=F("injury_date")),
                name="clinic_patient_surgery_not_before_injury",
                violation_error_message=_("The surgery date cannot be before the injury date."),
            ),
            models.CheckConstraint(
                condition=Q(pathway="operative") | Q(surgery_date__isnull=True),
                name="clinic_patient_non_operative_no_surgery_date",
                violation_error_message=_(
                    "A non-operative patient has no surgery date; "
                    "change the pathway to operative if they had surgery."
                ),
            ),
            models.CheckConstraint(
                condition=Q(pathway__in=["operative", "non_operative"]),
                name="clinic_patient_pathway_valid",
            ),
            models.CheckConstraint(
                condition=Q(injured_side__in=["left", "right"]),
                name="clinic_patient_side_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "discharged", "archived"]),
                name="clinic_patient_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(status="archived"),
                name="clinic_patient_erased_stays_archived",
                violation_error_message=_("This patient's record was erased; it stays archived."),
            ),
            dates.within_window("injury_date", name="clinic_patient_injury_date_plausible"),
            dates.within_window("surgery_date", name="clinic_patient_surgery_date_plausible"),
            dates.within_window("date_of_birth", name="clinic_patient_birth_date_plausible"),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__lte=F("injury_date")),
                name="clinic_patient_born_before_injury",
                violation_error_message=_("The date of birth is after the injury date."),
                violation_error_code="born_after_injury",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def anchor_date(self) -> dt.date:
        """The date week numbers count from: the surgery date, else the injury date."""
        return self.surgery_date or self.injury_date

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local_today(self) -> dt.date:
        return timezone.now().astimezone(self.tz).date()

    def week_on(self, day: dt.date) -> int:
        """Whole weeks since the anchor date (week 0 is the first seven days)."""
        return (day - self.anchor_date).days // 7

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def check_not_erased(self) -> None:
        """Erasure is final: every service that would act on the patient (their status,
        details, risk factors, an invitation, a message, a plan, an ATRS request, a
        measurement) calls this first, and an erased record refuses with one message."""
        if self.erased_at is not None:
            raise ValidationError(ERASED_MESSAGE, code="erased")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[ValidationError]] = {}
        if self.pathway == self.Pathway.OPERATIVE and not self.surgery_date:
            errors.setdefault("surgery_date", []).append(
                ValidationError(
                    _("An operative patient needs a surgery date."), code="surgery_date_missing"
                )
            )
        if self.pathway == self.Pathway.NON_OPERATIVE and self.surgery_date:
            errors.setdefault("surgery_date", []).append(
                ValidationError(
                    _("Leave the surgery date empty for a non-operative patient."),
                    code="surgery_date_non_operative",
                )
            )
        if self.surgery_date and self.injury_date and self.surgery_date < self.injury_date:
            errors.setdefault("surgery_date", []).append(
                ValidationError(
                    _("The surgery date cannot be before the injury date."),
                    code="surgery_before_injury",
                )
            )
        for field, error in self._implausible_dates():
            errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(errors)

    def _implausible_dates(self) -> list[tuple[str, ValidationError]]:
        """The dates outside the plausible window (``core.dates``), each with its error."""
        try:
            today = self.local_today()
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):  # the time zone's own error
            today = timezone.localdate()
        registered = timezone.localdate(self.created_at) if self.created_at else today
        checks: list[tuple[str, dt.date | None, Callable[[dt.date], None]]] = [
            (
                "injury_date",
                self.injury_date,
                functools.partial(dates.check_injury_date, today=today, registered=registered),
            ),
            (
                "surgery_date",
                self.surgery_date,
                functools.partial(dates.check_surgery_date, injury_date=self.injury_date),
            ),
            (
                "date_of_birth",
                self.date_of_birth,
                functools.partial(
                    dates.check_birth_date, today=today, injury_date=self.injury_date
                ),
            ),
        ]
        found = []
        for field, value, check in checks:
            if value is None:
                continue
            try:
                check(value)
            except ValidationError as error:
                found.append((field, error))
        return found
