"""Templates: the shared and the clinic's own, their versions and drafts (mounted at /clinic/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from rehab.views import templates as views

urlpatterns: list[URLPattern] = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/<opaque:pk>/", views.template_detail, name="template_detail"),
    path("templates/<opaque:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<opaque:pk>/publish/", views.template_publish, name="template_publish"),
    path("templates/<opaque:pk>/discard/", views.template_discard, name="template_discard"),
    path("templates/<opaque:pk>/archive/", views.template_archive, name="template_archive"),
    path("templates/<opaque:pk>/restore/", views.template_restore, name="template_restore"),
    path("templates/<opaque:pk>/details/", views.template_details, name="template_details"),
    path("templates/<opaque:pk>/phases/add/", views.template_phase_add, name="template_phase_add"),
    path("templates/<opaque:pk>/history/", views.template_history, name="template_history"),
    path(
        "template-phases/<opaque:pk>/edit/", views.template_phase_edit, name="template_phase_edit"
    ),
    path(
        "template-phases/<opaque:pk>/remove/",
        views.template_phase_remove,
        name="template_phase_remove",
    ),
    path(
        "template-phases/<opaque:pk>/exercises/add/",
        views.template_item_add,
        name="template_item_add",
    ),
    path("template-items/<opaque:pk>/edit/", views.template_item_edit, name="template_item_edit"),
    path(
        "template-items/<opaque:pk>/remove/",
        views.template_item_remove,
        name="template_item_remove",
    ),
    path(
        "plans/<opaque:pk>/save-as-template/",
        views.plan_save_as_template,
        name="plan_save_as_template",
    ),
]
