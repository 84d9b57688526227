"""What the rehab admin pages share: the shared-or-clinic filter, slugs fixed once created,
view-only pages for patients' records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic

PATIENT_SEARCH_FIELDS = ("patient__first_name", "patient__last_name", "patient__email")


# --- list filters -------------------------------------------------------------------------


class SharedOrClinicFilter(admin.RelatedFieldListFilter):
    """The clinic filter, whose "empty" choice reads "Shared library" instead of "-"."""

    shared_label: Promise = _("Shared library")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A lazy string, so the label follows the request's language.
        self.empty_value_display = self.shared_label  # type: ignore[assignment]


# --- helpers ------------------------------------------------------------------------------


class SlugLockedAfterCreateAdmin(admin.ModelAdmin):
    """The slug is typed (prepopulated from the name) once, then shown read-only.

    Slugs are the natural keys the fixtures load by and appear in links: renaming one would
    make the next ``loaddata`` create a duplicate instead of updating the row.
    """

    prepopulated_fields = {"slug": ("name",)}

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> dict[str, Sequence[str]]:
        return {} if obj is not None else dict(self.prepopulated_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "slug" not in fields:
            fields.append("slug")
        return fields


class ViewOnlyAdmin(admin.ModelAdmin):
    """Patient data, written by the app: viewable and searchable here, not editable."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class KeptRecordAdmin(ViewOnlyAdmin):
    """What a patient reported (and what it raised), and the plan they were asked to follow, is
    kept: no deleting here either."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PatientColumnsMixin:
    @admin.display(description=_("clinic"), ordering="patient__clinic__name")
    def patient_clinic(self, obj: Any) -> Clinic:
        clinic: Clinic = obj.patient.clinic
        return clinic
