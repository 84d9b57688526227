"""The plan builder, progression, handout and library browser, mounted at /clinic/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rehab.views import builder

urlpatterns: list[URLPattern] = [
    path("patients/<int:patient_pk>/plans/new/", builder.plan_create, name="plan_create"),
    path("plans/<int:pk>/", builder.plan_builder, name="plan_builder"),
    path("plans/<int:pk>/rename/", builder.plan_rename, name="plan_rename"),
    path("plans/<int:pk>/activate/", builder.plan_activate, name="plan_activate"),
    path("plans/<int:pk>/advance/", builder.plan_advance, name="plan_advance"),
    path("plans/<int:pk>/back/", builder.plan_back, name="plan_back"),
    path("plans/<int:pk>/handout/", builder.plan_handout, name="plan_handout"),
    path("plans/<int:pk>/phases/add/", builder.phase_add, name="phase_add"),
    path("plans/<int:pk>/exercises/add/", builder.prescription_add, name="prescription_add"),
    path("phases/<int:pk>/edit/", builder.phase_edit, name="phase_edit"),
    path("phases/<int:pk>/remove/", builder.phase_remove, name="phase_remove"),
    path("phases/<int:pk>/move/", builder.phase_move, name="phase_move"),
    path("prescriptions/<int:pk>/edit/", builder.prescription_edit, name="prescription_edit"),
    path("prescriptions/<int:pk>/remove/", builder.prescription_remove, name="prescription_remove"),
    path("prescriptions/<int:pk>/move/", builder.prescription_move, name="prescription_move"),
    path(
        "prescriptions/<int:pk>/move-to-phase/",
        builder.prescription_move_phase,
        name="prescription_move_phase",
    ),
    path("library/", builder.library, name="library"),
    path("library/<int:pk>/", builder.library_detail, name="library_detail"),
]
