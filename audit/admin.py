"""The audit trail in the admin: read-only, no add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.models import CLINICIAN_ROLE, ROLE_WORDS, AccessEvent
from clinic.models import Clinician

NOT_SIGNED_IN = "none"  # the filter's value for the stored "" (a link cannot carry "")


class RoleFilter(admin.SimpleListFilter):
    """The actor's role, in words (``AccessEvent.actor_role_words``), never the stored code."""

    title = _("actor role")
    parameter_name = "actor_role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        clinicians = [
            (f"{CLINICIAN_ROLE}{value}", str(label)) for value, label in Clinician.Role.choices
        ]
        return clinicians + [
            (code or NOT_SIGNED_IN, str(words)) for code, words in ROLE_WORDS.items()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(actor_role="" if value == NOT_SIGNED_IN else value)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ["when", "actor_email", "role", "action", "what", "patient_ref"]
    list_filter = ["action", RoleFilter]
    search_fields = ["actor_email", "what", "path"]
    date_hierarchy = "when"
    list_select_related = False
    readonly_fields = (
        "when",
        "actor",
        "actor_email",
        "actor_name",
        "role",
        "patient",
        "patient_ref",
        "action",
        "what",
        "method",
        "path",
        "ip_address",
        "user_agent",
    )
    fields = readonly_fields
    show_full_result_count = False
    actions = None

    @admin.display(description=_("actor role"), ordering="actor_role")
    def role(self, obj: AccessEvent) -> str:
        return obj.actor_role_words

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
