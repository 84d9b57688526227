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
    for words, view_names in PAGE_WORDS:
        registry.register_page_words(words, *(f"rehab:{name}" for name in view_names))


# What each page that reads or changes a patient's data is called on the access history (a
# clinic admin's and the patient's own), in their words: the page, not its route or form.
PAGE_WORDS = (
    (_("Dashboard"), ("dashboard",)),
    (_("Patient list"), ("patient_list",)),
    (_("Alerts"), ("alerts", "alert_acknowledge")),
    (_("Patient page"), ("patient_detail",)),
    (_("Patient page — messages"), ("patient_messages",)),
    (_("Patient page — measurements"), ("measurement_create",)),
    (_("Patient page — ATRS request"), ("atrs_request",)),
    (_("Patient page — risk factors"), ("risk_update",)),
    (_("Review and resume exercise"), ("plan_resume",)),
    (_("New plan"), ("plan_create",)),
    (
        _("Plan builder"),
        (
            "plan_builder",
            "plan_rename",
            "plan_activate",
            "phase_add",
            "phase_edit",
            "phase_remove",
            "phase_move",
            "prescription_add",
            "prescription_edit",
            "prescription_remove",
            "prescription_move",
            "prescription_move_phase",
            "prescription_media_add",
            "prescription_media_remove",
            "criterion_add",
            "criterion_remove",
            "criterion_judge",
            "proposal_dismiss",
        ),
    ),
    (_("Plan — moving to another phase"), ("plan_advance", "plan_back", "plan_phase_confirm")),
    (_("Plan overview"), ("plan_overview",)),
    (_("Printed handout"), ("plan_handout",)),
    (_("Plan saved as a template"), ("plan_save_as_template",)),
    (_("Exercise photo or video"), ("media_file", "media_thumbnail")),
    (_("Export of the record"), ("patient_export", "patient_export_json")),
    (_("Erasure of the record"), ("patient_erase",)),
    (_("Today"), ("today",)),
    (_("Exercise ticked off"), ("log_create", "log_update", "log_undo")),
    (_("My plan"), ("my_plan",)),
    (_("Progress"), ("progress", "home_measurement")),
    (_("Check-in"), ("checkin",)),
    (_("ATRS questionnaire"), ("atrs",)),
    (_("Messages"), ("my_messages",)),
    (_("Copy of the record"), ("my_export", "my_export_json")),
)
