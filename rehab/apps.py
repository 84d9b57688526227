from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehabConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rehab"
    verbose_name = _("Rehabilitation")

    def ready(self) -> None:
        from clinic import events  # noqa: PLC0415 (apps are ready only now)
        from rehab import receivers  # noqa: PLC0415

        events.patient_anchor_changed.connect(
            receivers.on_patient_anchor_changed, dispatch_uid="rehab.plans_follow_anchor"
        )
        events.patient_left_care.connect(
            receivers.on_patient_left_care, dispatch_uid="rehab.plans_complete_for"
        )
        receivers.connect_page_cache()
