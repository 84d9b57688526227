"""The plan builder, progression and handout, mounted at /clinic/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rehab.views import builder, patient_media, phases, plans

urlpatterns: list[URLPattern] = [
    path("patients/<opaque:patient_pk>/plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<opaque:pk>/", builder.plan_builder, name="plan_builder"),
    path("plans/<opaque:pk>/rename/", plans.plan_rename, name="plan_rename"),
    path("plans/<opaque:pk>/overview/", plans.plan_overview, name="plan_overview"),
    path("plans/<opaque:pk>/activate/", plans.plan_activate, name="plan_activate"),
    path("plans/<opaque:pk>/advance/", plans.plan_advance, name="plan_advance"),
    path("plans/<opaque:pk>/back/", plans.plan_back, name="plan_back"),
    path(
        "plans/<opaque:pk>/phases/<opaque:phase_pk>/start/",
        plans.plan_phase_confirm,
        name="plan_phase_confirm",
    ),
    path("plans/<opaque:pk>/handout/", plans.plan_handout, name="plan_handout"),
    path("plans/<opaque:pk>/phases/add/", phases.phase_add, name="phase_add"),
    path("plans/<opaque:pk>/exercises/add/", phases.prescription_add, name="prescription_add"),
    path("phases/<opaque:pk>/edit/", phases.phase_edit, name="phase_edit"),
    path("phases/<opaque:pk>/remove/", phases.phase_remove, name="phase_remove"),
    path("phases/<opaque:pk>/move/", phases.phase_move, name="phase_move"),
    path("prescriptions/<opaque:pk>/edit/", phases.prescription_edit, name="prescription_edit"),
    path(
        "prescriptions/<opaque:pk>/remove/", phases.prescription_remove, name="prescription_remove"
    ),
    path("prescriptions/<opaque:pk>/move/", phases.prescription_move, name="prescription_move"),
    path(
        "prescriptions/<opaque:pk>/media/",
        patient_media.prescription_media_add,
        name="prescription_media_add",
    ),
    path(
        "prescriptions/<opaque:pk>/media/<uuid:key>/remove/",
        patient_media.prescription_media_remove,
        name="prescription_media_remove",
    ),
    path(
        "prescriptions/<opaque:pk>/move-to-phase/",
        phases.prescription_move_phase,
        name="prescription_move_phase",
    ),
]
