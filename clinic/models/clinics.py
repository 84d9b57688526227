"""Clinics (the tenants) and their clinicians, with the clinic settings' validators."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_visible

# Files of the tz database that name no place: ``localtime`` (on Debian, a link to the
# server's own zone, which ``available_timezones`` lists), ``Factory`` ("-00", no zone) and
# ``posixrules``. A patient's days would follow wherever the server runs, or no zone at all.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def timezone_names() -> frozenset[str]:
    """The IANA time zones this machine knows (read from tzdata once per process), less
    ``NOT_PLACES``."""
    return frozenset(zoneinfo.available_timezones()) - NOT_PLACES


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            _("%(value)s is not a known time zone; choose one such as Europe/London."),
            params={"value": value},
            code="invalid_timezone",
        )


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(timezone_names())]


WEEKDAYS = 7  # opening hours: one entry a weekday, Monday first
# How long an alert may stay unacknowledged (minutes of opening hours) before it escalates.
ESCALATION_MINUTES_MIN = 15
ESCALATION_MINUTES_MAX = 7 * 24 * 60


def default_opening_hours() -> list[list[str] | None]:
    """Monday to Friday, 08:00 to 18:00."""
    return [["08:00", "18:00"]] * 5 + [None, None]


def validate_opening_hours(value: Any) -> None:
    """Seven entries, Monday first: ``null`` (closed) or ``["HH:MM", "HH:MM"]``, opening first."""
    invalid = ValidationError(
        _("Opening hours need seven days, each closed or open from one time to a later one."),
        code="invalid_opening_hours",
    )
    if not isinstance(value, list) or len(value) != WEEKDAYS:
        raise invalid
    for day in value:
        if day is None:
            continue
        if not isinstance(day, list) or len(day) != 2:
            raise invalid
        try:
            opens, closes = (dt.time.fromisoformat(str(t)) for t in day)
        except ValueError:
            raise invalid from None
        if opens >= closes:
            raise invalid


def validate_email_list(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Enter a list of email addresses."), code="invalid_email_list")
    for item in value:
        validate_email(item)


class ClinicQuerySet(models.QuerySet["Clinic"]):
    def lock(self, pk: int) -> Clinic | None:
        """The clinic's row, locked until the transaction ends: one write at a time of those
        that check the clinic's other rows first (a new patient's or exercise's name, a
        template's, the team's last admin). A no-op on SQLite, whose writes are serial."""
        return self.select_for_update().filter(pk=pk).first()


class Clinic(models.Model):
    """The tenant: every patient, clinician, plan and clinic-made exercise belongs to one."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_visible])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    requires_mfa = models.BooleanField(_("clinicians must use two-factor sign-in"), default=True)
    # When the clinic is open, who is alerted, and what a patient is told to do meanwhile
    # (the ``notify`` app reads these).
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_timezone]
    )
    opening_hours = models.JSONField(
        _("opening hours"),
        default=default_opening_hours,
        validators=[validate_opening_hours],
        help_text=_("Seven days, Monday first: closed, or open from one time to a later one."),
    )
    out_of_hours_phone = models.CharField(
        _("out-of-hours phone"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("Whom patients call when the clinic is closed (e.g. NHS 111)."),
    )
    emergency_number = models.CharField(
        _("emergency number"),
        max_length=20,
        blank=True,
        default="",
        help_text=_(
            "The local emergency number (e.g. 999, 112, 911). Empty: patients are told to call "
            "their local emergency number."
        ),
    )
    alert_emails = models.JSONField(
        _("alert contacts"),
        default=list,
        blank=True,
        validators=[validate_email_list],
        help_text=_("Addresses that get every urgent alert, besides the patient's therapist."),
    )
    alert_escalation_minutes = models.PositiveIntegerField(
        _("escalate unacknowledged alerts after (minutes of opening hours)"),
        default=120,
        validators=[
            MinValueValidator(ESCALATION_MINUTES_MIN),
            MaxValueValidator(ESCALATION_MINUTES_MAX),
        ],
    )
    message_digest_time = models.TimeField(
        _("daily digest of unread messages at"), default=dt.time(16, 0)
    )
    language = models.CharField(
        _("default language"),
        max_length=10,
        default=settings.LANGUAGE_CODE,
        choices=settings.LANGUAGES,
        help_text=_("The language of the clinic's invitation emails."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClinicQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def local_today(self) -> dt.date:
        """The clinic's day: the day its desk pages judge (the patients' days in its time zone,
        not the server's, which may already be tomorrow in the evening)."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.timezone)).date()


class ClinicianQuerySet(models.QuerySet["Clinician"]):
    def joined(self) -> ClinicianQuerySet:
        """Clinicians who have joined the team and can sign in: active, and the invitation
        accepted (a password set; an invited account has an unusable one until then). Only
        they can see patients, so only they are given someone's patients."""
        return self.filter(user__is_active=True).exclude(
            user__password__startswith=UNUSABLE_PASSWORD_PREFIX
        )


class Clinician(models.Model):
    class Role(models.TextChoices):
        THERAPIST = "therapist", _("Physiotherapist")
        ADMIN = "admin", _("Clinic admin")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clinicians")
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.THERAPIST)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClinicianQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinician")
        verbose_name_plural = _("clinicians")
        ordering = ["user__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["therapist", "admin"]), name="clinic_clinician_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.clinic})"

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_active(self) -> bool:
        """Deactivated clinicians keep their record (authorship, history) but cannot sign in."""
        return bool(self.user.is_active)

    @property
    def has_joined(self) -> bool:
        """Active and has accepted the invitation (set a password): ``ClinicianQuerySet.joined``
        for one clinician."""
        return bool(self.user.is_active and self.user.has_usable_password())


# What a clinician enters about a patient, in the order the form asks for it.
