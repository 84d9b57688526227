"""The library: the browser, and a clinic's own exercises with their photos and videos
(mounted at /clinic/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from rehab.views import exercises, library

urlpatterns: list[URLPattern] = [
    path("library/", library.library, name="library"),
    path("library/new/", exercises.exercise_create, name="exercise_create"),
    path("library/<opaque:pk>/", library.library_detail, name="library_detail"),
    path("library/<opaque:pk>/edit/", exercises.exercise_edit, name="exercise_edit"),
    path("library/<opaque:pk>/archive/", exercises.exercise_archive, name="exercise_archive"),
    path("library/<opaque:pk>/restore/", exercises.exercise_restore, name="exercise_restore"),
    path("library/<opaque:pk>/copy/", exercises.exercise_copy, name="exercise_copy"),
    path("library/<opaque:pk>/media/", exercises.exercise_media_add, name="exercise_media_add"),
    path(
        "library/<opaque:pk>/media/<uuid:key>/remove/",
        exercises.exercise_media_remove,
        name="exercise_media_remove",
    ),
    path("library/<opaque:pk>/history/", exercises.exercise_history, name="exercise_history"),
]
