"""Clinics (the tenants), the people in them, invitations and messages.

``clinic`` never imports ``rehab``: dependencies point one way.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
import zoneinfo
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.db.models.lookups import Contains, Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from core import dates
from core.text import fold


@functools.cache
def timezone_names() -> frozenset[str]:
    """The IANA time zones this machine knows (read from tzdata once per process)."""
    return frozenset(zoneinfo.available_timezones())


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


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if extra.get("is_staff") is not True or extra.get("is_superuser") is not True:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: clinician, patient or staff. Email is the login."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can sign in to the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="clinic_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class Clinic(models.Model):
    """The tenant: every patient, clinician, plan and clinic-made exercise belongs to one."""

    name = models.CharField(_("name"), max_length=200)
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
    emergency_number = models.CharField(_("emergency number"), max_length=20, default="999")
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
        validators=[MinValueValidator(15), MaxValueValidator(7 * 24 * 60)],
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

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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


# What a clinician enters about a patient, in the order the form asks for it.
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
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """A one-time, expiring link for a patient, or a clinician invited to a clinic's team, to
    set a password. Exactly one of ``patient`` and ``clinician``. Only a hash is stored."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    clinician = models.ForeignKey(
        Clinician, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="clinic_invitation_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(patient__isnull=True, clinician__isnull=False)
                | Q(patient__isnull=False, clinician__isnull=True),
                name="clinic_invitation_for_patient_or_clinician",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.invitee} ({self.created_at:%Y-%m-%d})"

    @property
    def invitee(self) -> Patient | Clinician:
        invitee = self.patient or self.clinician
        assert invitee is not None  # the constraint: exactly one
        return invitee

    @property
    def email(self) -> str:
        return self.patient.email if self.patient is not None else self.invitee.user.email  # type: ignore[union-attr]

    @property
    def clinic(self) -> Clinic:
        return self.invitee.clinic

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class Message(models.Model):
    """One message in the thread between a patient and their clinic."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_patient = models.BooleanField(_("from the patient"))
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["patient", "created_at"], name="clinic_msg_patient_created"),
            models.Index(
                fields=["patient"],
                condition=Q(from_patient=True, read_at__isnull=True),
                name="clinic_msg_unread_from_patient",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="clinic_message_body_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.body[:40]}"


class UserSession(models.Model):
    """One signed-in browser session, so its owner can see it and end it (``/account/sessions/``).

    Written at sign-in (``clinic.accounts.signals``), its ``last_seen_at`` refreshed at most once a minute
    by ``SessionLimitsMiddleware``, deleted at sign-out. The Django session itself lives in the
    session store; ending one here deletes it there too.
    """

    USER_AGENT_LENGTH = 200

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("browser session")
        verbose_name_plural = _("browser sessions")
        ordering = ["-last_seen_at", "-pk"]
        indexes = [models.Index(fields=["user", "last_seen_at"], name="clinic_usersession_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class TeamEvent(models.Model):
    """One change to a clinic's team, kept for its clinic admins: who did what to whom, when.

    Written by ``clinic.team.services``; never changed afterwards."""

    class Action(models.TextChoices):
        INVITED = "invited", _("Invited")
        JOINED = "joined", _("Accepted the invitation")
        ROLE_CHANGED = "role_changed", _("Role changed")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset")
        SETTINGS_CHANGED = "settings_changed", _("Clinic settings changed")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="team_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    clinician = models.ForeignKey(
        Clinician, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("what"), max_length=30, choices=Action)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("team event")
        verbose_name_plural = _("team events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["clinic", "at"], name="clinic_teamevent_clinic_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.clinician}"


class TokenSecondFactor(models.Model):
    """An API token issued after a verified second factor (a code from the user's app or a
    recovery code, ``POST /api/v1/auth/login/``).

    A token without one is refused (401) whenever two-factor sign-in is now required of its
    user (``clinic.api.authentication.TokenAuthentication``): the clinic started to require it,
    the therapist became a clinic admin, ``MFA_REQUIRED`` was switched on, or the user set it
    up. ``clinic.accounts.services.security_policy_changed`` deletes such tokens when a role
    or a clinic's setting changes.
    """

    token = models.OneToOneField(
        AuthToken, on_delete=models.CASCADE, primary_key=True, related_name="second_factor"
    )
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)

    class Meta:
        verbose_name = _("API token's second factor")
        verbose_name_plural = _("API tokens' second factors")

    def __str__(self) -> str:
        return f"{self.token_id[:8]}… verified {self.verified_at:%Y-%m-%d %H:%M}"
