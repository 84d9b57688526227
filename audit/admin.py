"""The audit trail in the admin: read-only, no add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ["when", "actor_email", "actor_role", "action", "what", "patient_ref"]
    list_filter = ["action", "actor_role"]
    search_fields = ["actor_email", "what", "path"]
    date_hierarchy = "when"
    list_select_related = False
    readonly_fields = (
        "when",
        "actor",
        "actor_email",
        "actor_name",
        "actor_role",
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
