"""Which routes show or change patient data, and how to find the patient from a route.

``audit`` never imports ``rehab``: the apps register their models, API basenames and list pages
(``audit.registry``); models are named by label and fetched from Django's app registry.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Subquery
from django.urls import ResolverMatch

from audit.registry import API_MODELS, LIST_PAGES, PATIENT_PATHS
from audit.services import Target
from core.ids import as_id

ADMIN_OBJECT_SUFFIXES = ("_change", "_delete", "_history")
ADMIN_LIST_SUFFIXES = ("_changelist", "_add")


def _admin_model(url_name: str, suffixes: tuple[str, ...]) -> str | None:
    for label in PATIENT_PATHS:
        prefix = label.replace(".", "_")
        for suffix in suffixes:
            if url_name == prefix + suffix:
                return label
    return None


def _object_id(match: ResolverMatch) -> int | None:
    return as_id(match.kwargs.get("object_id", match.kwargs.get("pk")))


def _object_model(match: ResolverMatch) -> str | None:
    """The model label of an admin or API route about one object, else None."""
    if match.namespace == "admin":
        return _admin_model(match.url_name or "", ADMIN_OBJECT_SUFFIXES)
    if match.namespace == "api" and "pk" in match.kwargs:
        return API_MODELS.get((match.url_name or "").split("-", 1)[0])
    return None


def is_list(match: ResolverMatch) -> bool:
    if match.view_name in LIST_PAGES:
        return True
    if match.namespace == "admin":
        return _admin_model(match.url_name or "", ADMIN_LIST_SUFFIXES) is not None
    if match.namespace == "api" and "pk" not in match.kwargs:
        basename, _sep, suffix = (match.url_name or "").partition("-")
        return basename in API_MODELS and suffix == "list"
    return False


def listed_patients(match: ResolverMatch, response: Any) -> set[int]:
    """The patients of the rows an admin change list showed (each patient whose data the page
    holds, e.g. all one patient's when filtered to them): read off the rows, or for rows
    further from their patient (a prescription's) one query for all of them."""
    if match.namespace != "admin":
        return set()
    label = _admin_model(match.url_name or "", ("_changelist",))
    context = getattr(response, "context_data", None) or {}
    change_list = context.get("cl")
    if label is None or change_list is None:
        return set()
    rows = list(change_list.result_list)  # the page's rows, already read
    path = PATIENT_PATHS[label]
    if path == "pk":
        return {row.pk for row in rows}
    model = apps.get_model(label)
    if "__" not in path:  # the row's own foreign key (its descriptor's field): no query
        attname = getattr(model, path).field.attname
        return {value for row in rows if (value := getattr(row, attname)) is not None}
    if not rows:
        return set()
    found = model.objects.filter(pk__in=[row.pk for row in rows])
    return set(found.filter(**{f"{path}__isnull": False}).values_list(path, flat=True))


def patient_lookup(label: str, object_id: int) -> Target:
    """A target whose patient id a subquery finds (NULL if the row is gone)."""
    path = PATIENT_PATHS[label]
    if path == "pk":
        return Target(patient_id=object_id)
    rows = apps.get_model(label).objects.filter(pk=object_id)
    return Target(lookup=Subquery(rows.values(path)[:1]))


def targets(match: ResolverMatch, touched: set[int]) -> list[Target]:
    if touched:
        return [Target(patient_id=patient_id) for patient_id in sorted(touched)]
    label = _object_model(match)
    object_id = _object_id(match)
    if label is not None and object_id is not None:
        return [patient_lookup(label, object_id)]
    if is_list(match):
        return [Target()]
    return []


def describe(match: ResolverMatch) -> str:
    """The route name, and the object's id for an object route: "admin:rehab_alert_change 4"."""
    object_id = _object_id(match)
    return match.view_name if object_id is None else f"{match.view_name} {object_id}"


def safe_path(path: str, match: ResolverMatch) -> str:
    """The path with every non-numeric route value (tokens, slugs) masked."""
    for value in list(match.args) + list(match.kwargs.values()):
        text = str(value)
        if text and not (text.isascii() and text.isdigit()):
            path = path.replace(text, "-")
    return path
