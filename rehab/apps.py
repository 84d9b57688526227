from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from audit import registry


class RehabConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rehab"
    verbose_name = _("Rehabilitation")

    def ready(self) -> None:
        from clinic import events  # noqa: PLC0415 (apps are ready only now)
        from rehab import events as rehab_events  # noqa: PLC0415
        from rehab import receivers  # noqa: PLC0415

        events.patient_course_changed.connect(
            receivers.on_patient_course_changed, dispatch_uid="rehab.plans_follow_anchor"
        )
        events.patient_left_care.connect(
            receivers.on_patient_left_care, dispatch_uid="rehab.plans_complete_for"
        )
        rehab_events.exercise_earliest_weeks_raised.connect(
            receivers.on_exercise_earliest_weeks_raised, dispatch_uid="rehab.alert_now_early"
        )
        rehab_events.exercise_earliest_weeks_raising.connect(
            receivers.on_exercise_earliest_weeks_raising,
            dispatch_uid="rehab.templates_refuse_raise",
        )
        receivers.connect_media_files()
        register_audited()


def register_audited() -> None:
    """Tell the audit trail which rehab rows, API lists and pages hold patients' data."""
    for label, patient_path in (
        ("rehab.plan", "patient"),
        ("rehab.planphase", "plan__patient"),
        ("rehab.prescription", "phase__plan__patient"),
        ("rehab.phasechange", "plan__patient"),
        ("rehab.exerciselog", "patient"),
        ("rehab.checkin", "patient"),
        ("rehab.atrsresponse", "patient"),
        ("rehab.atrsrequest", "patient"),
        ("rehab.measurement", "patient"),
        ("rehab.alert", "patient"),
        ("rehab.prescriptionmedia", "prescription__phase__plan__patient"),
    ):
        registry.register_model(label, patient_path=patient_path)
    for basename, label in (
        ("plan", "rehab.plan"),
        ("log", "rehab.exerciselog"),
        ("checkin", "rehab.checkin"),
        ("atrs", "rehab.atrsresponse"),
        ("measurement", "rehab.measurement"),
        ("alert", "rehab.alert"),
    ):
        registry.register_api(basename, label)
    # The proposals API list names each patient on its page (ProposalsView); registered, an
    # empty one is still one event without a patient, like the router's lists.
    for view_name in ("rehab:patient_list", "rehab:alerts", "rehab:dashboard", "api:proposals"):
        registry.register_list_page(view_name)
