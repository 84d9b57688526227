"""What every app shares; an app only to register its URL converter at start-up."""

from __future__ import annotations

from django.apps import AppConfig
from django.urls import register_converter

from core.ids import OpaqueIdConverter


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        register_converter(OpaqueIdConverter, "opaque")
