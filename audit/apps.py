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
        # What the clinic's and this app's pages about a patient are called on the history.
        for words, view_names in (
            (_("New patient"), ("clinic:patient_create",)),
            (_("Patient details"), ("clinic:patient_edit",)),
            (
                _("Patient's status (discharged, archived or back in care)"),
                (
                    "clinic:patient_discharge",
                    "clinic:patient_archive",
                    "clinic:patient_reactivate",
                ),
            ),
            (_("Invitation to the app"), ("clinic:patient_invite", "clinic:invitation_accept")),
            (_("Team member's page"), ("clinic:team_member",)),
            (_("Access history"), ("audit:patient_history", "audit:my_history")),
        ):
            registry.register_page_words(words, *view_names)
