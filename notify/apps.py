from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Notifications: alerts to the clinic, reminders and replies to the patient, digests.

    ``notify`` sits above ``clinic`` and ``rehab`` and listens to them (signals); they never
    import it. Its pages for other apps' templates are template tags (``{% load notify %}``).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from audit import registry  # noqa: PLC0415 (apps are ready only now)
        from notify import receivers  # noqa: PLC0415

        receivers.connect()
        # The record of what was sent names the patient it was about (its admin pages).
        registry.register_model("notify.notification", patient_path="patient")
        registry.register_page_words(_("Reminders"), "notify:reminders")
