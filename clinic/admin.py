"""The admin for clinics and the people in them.

Staff manage clinics, clinicians and sign-in accounts here. Invitations and messages are shown
read-only: an invitation's token is stored only as a hash, which the admin never shows or
filters by.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.accounts import mfa
from clinic.accounts import services as account_services
from clinic.models import Clinic, Clinician, Invitation, Message, Patient, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ClinicianCount(TypedDict):
    clinician_count: int


PATIENT_SEARCH_FIELDS = ("patient__first_name", "patient__last_name", "patient__email")


def _policy_may_ask_more_of(users: Iterable[User]) -> None:
    """A role, a team, a clinic's two-factor setting or staff status changed here: those
    ``users`` of whom the policy now asks a code end their API tokens issued without one."""
    account_services.security_policy_changed(
        users=[user for user in users if mfa.policy_requires_mfa(user)]
    )


# --- users --------------------------------------------------------------------------------


def _clean_new_email(value: str, *, instance: User | None = None) -> str:
    """Lower-case the address and refuse one already in use in any letter case."""
    email = User.objects.normalize_email(value).lower()
    others = User.objects.filter(email__iexact=email)
    if instance is not None and instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise ValidationError(_("A user with this email address already exists."), code="unique")
    return email


class UserCreationForm(auth_forms.AdminUserCreationForm):
    """Add a user by email address, with a password or none (set later by a reset link)."""

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        return _clean_new_email(self.cleaned_data["email"])


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return _clean_new_email(self.cleaned_data["email"], instance=self.instance)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "Staff status lets the user into this admin site. A clinician or patient "
                    "needs neither staff status nor permissions."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "account_kind", "is_staff", "is_active", "last_login")
    list_select_related = ("clinician__clinic", "patient")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "is_staff" in form.changed_data:  # staff always use two-factor sign-in
            _policy_may_ask_more_of([obj])

    @admin.display(description=_("account"))
    def account_kind(self, obj: User) -> str:
        """Clinician (with their clinic), patient, or neither."""
        try:
            clinician = obj.clinician
        except Clinician.DoesNotExist:
            pass
        else:
            return f"{clinician.get_role_display()}, {clinician.clinic}"
        try:
            obj.patient  # noqa: B018 – raises when the user is not a patient
        except Patient.DoesNotExist:
            return ""
        return str(_("Patient"))


# --- clinics and clinicians ---------------------------------------------------------------


class ClinicianInline(admin.TabularInline):
    model = Clinician
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Clinician]:
        return super().get_queryset(request).select_related("user", "clinic")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "phone", "email", "requires_mfa", "clinician_count")
    list_filter = ("requires_mfa",)
    search_fields = ("name", "slug", "email", "phone")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "slug")}),
        (_("Contact"), {"fields": ("phone", "email", "address")}),
        (_("Security"), {"fields": ("requires_mfa", "created_at")}),
    )
    inlines = (ClinicianInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Clinic]:
        return super().get_queryset(request).annotate(clinician_count=Count("clinicians"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        team_changed = any(formset.has_changed() for formset in formsets)
        if "requires_mfa" in form.changed_data or team_changed:
            _policy_may_ask_more_of(User.objects.filter(clinician__clinic=form.instance))

    @admin.display(description=_("clinicians"), ordering="clinician_count")
    def clinician_count(self, obj: WithAnnotations[Clinic, ClinicianCount]) -> int:
        return obj.clinician_count


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "clinic", "role", "created_at")
    list_select_related = ("user", "clinic")
    list_filter = ("clinic", "role")
    search_fields = ("user__email", "user__full_name", "clinic__name")
    autocomplete_fields = ("user", "clinic")
    ordering = ("user__full_name", "user__email")
    readonly_fields = ("created_at",)

    @admin.display(description=_("email address"), ordering="user__email")
    def email(self, obj: Clinician) -> str:
        return obj.user.email

    def save_model(self, request: HttpRequest, obj: Clinician, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change or {"role", "clinic", "user"} & set(form.changed_data):
            _policy_may_ask_more_of([obj.user])


# --- patients -----------------------------------------------------------------------------


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "clinic",
        "pathway",
        "status",
        "injured_side",
        "injury_date",
        "surgery_date",
    )
    list_display_links = ("full_name",)
    list_select_related = ("clinic",)
    list_filter = ("clinic", "pathway", "status")
    search_fields = ("first_name", "last_name", "email")
    ordering = ("last_name", "first_name", "pk")
    autocomplete_fields = ("user", "clinic")
    readonly_fields = ("created_at", "updated_at")
    # What decides the plan's weeks, its guardrails and which leg: changed on the patient's
    # page in the app (clinic.services.patients: patient_update, patient_discharge), which
    # re-checks the plan against the new dates and pathway, and time zone (one to the west can
    # put the patient on the day before, in the week before). Saving them here would skip that
    # check.
    IN_APP_ONLY = (
        *("clinic", "status", "injured_side", "pathway", "injury_date", "surgery_date"),
        "timezone",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "clinic",
                    ("first_name", "last_name"),
                    "date_of_birth",
                    "email",
                    "user",
                    "timezone",
                    "status",
                )
            },
        ),
        (
            _("Injury"),
            {
                "fields": ("injured_side", "pathway", "injury_date", "surgery_date"),
                "description": _(
                    "Change the injury, the pathway, the status or the clinic on the "
                    "patient's page in the app: it checks the plan against them."
                ),
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Patient | None = None) -> Any:
        if obj is None:  # a new patient has no plan yet
            return self.readonly_fields
        return (*self.readonly_fields, *self.IN_APP_ONLY)

    def has_change_permission(self, request: HttpRequest, obj: Patient | None = None) -> bool:
        """An erased record is shown, never changed: its name, address or account filled in
        again would undo the erasure (``Patient.check_not_erased``)."""
        if obj is not None and obj.is_erased:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: Patient) -> str:
        return obj.full_name


# --- invitations and messages (read-only) -------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made and sent from the patient page; here they can only be revoked."""

    list_display = ("patient", "created_at", "expires_at", "used_at", "revoked_at", "usable")
    list_select_related = ("patient",)
    list_filter = ("patient__clinic",)
    search_fields = PATIENT_SEARCH_FIELDS
    date_hierarchy = "created_at"
    # token_hash is deliberately absent from every list here.
    fields = ("patient", "created_by", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("clinic.change_invitation")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # Filtering by ?token_hash__startswith=… would leak the hash a character at a time.
        return not lookup.startswith("token_hash") and super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=_("usable"), boolean=True)
    def usable(self, obj: Invitation) -> bool:
        return obj.is_usable()

    @admin.action(description=_("Revoke the selected invitations"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        count = queryset.filter(used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The patient–clinic threads, view-only: messages are written in the app."""

    list_display = (
        "patient",
        "from_patient",
        "excerpt",
        "author",
        "created_at",
        "read_at",
        "read_by",
    )
    list_select_related = ("patient", "author", "read_by")
    list_filter = ("from_patient", "patient__clinic")
    search_fields = (*PATIENT_SEARCH_FIELDS, "body")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("message"))
    def excerpt(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"
