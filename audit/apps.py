from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from audit import registry


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # The clinic's own patient data (``clinic`` does not import ``audit``).
        registry.register_model("clinic.patient", patient_path="pk")
        registry.register_model("clinic.invitation", patient_path="patient")
        registry.register_model("clinic.message", patient_path="patient")
        registry.register_api("patient", "clinic.patient")
        registry.register_api("message", "clinic.message")
        # A team member's page lists their patients (each named, clinic.team.views); with
        # none, still one event without a patient, like the other lists.
        registry.register_list_page("clinic:team_member")
