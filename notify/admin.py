"""The record of what was sent, for site staff who need to see why a notification did not
arrive. Read only: it is written by the delivery jobs alone."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "state", "attempts", "error", "patient")
    list_filter = ("kind", "channel", "state")
    list_select_related = ("patient",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "key",
        "kind",
        "channel",
        "state",
        "attempts",
        "error",
        "user",
        "email",
        "patient",
        "alert",
        "created_at",
        "next_attempt_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
