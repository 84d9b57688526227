"""What the audit trail records, as the apps register it (from their ``AppConfig.ready()``).

``audit`` knows no other app's model or URL names: each app says which of its models hold a
patient's data (and how to find the patient from a row), which API router basenames show
them, which pages list several patients' data, and what each page is called in words (the
history pages say "Plan builder", never the stored route name and row number).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Model label → the lookup from one of its rows to its patient's id ("pk": the patient itself).
PATIENT_PATHS: dict[str, str] = {}

# API router basename → model label.
API_MODELS: dict[str, str] = {}

# Pages (view names) that list several patients' data: one event without a patient.
LIST_PAGES: set[str] = set()

# View name → what the page is, in the words of a clinic admin or a patient ("Plan builder").
PAGE_WORDS: dict[str, StrOrPromise] = {}


def register_model(label: str, *, patient_path: str) -> None:
    """Rows of ``label`` ("app.model") belong to the patient at ``patient_path`` ("pk" for the
    patient model itself); their admin pages are audited."""
    PATIENT_PATHS[label.lower()] = patient_path


def register_api(basename: str, label: str) -> None:
    """The API router's ``basename`` serves rows of ``label`` (registered with
    ``register_model``)."""
    API_MODELS[basename] = label.lower()


def register_list_page(view_name: str) -> None:
    """The page ``view_name`` ("namespace:name") lists several patients' data."""
    LIST_PAGES.add(view_name)


def register_page_words(words: StrOrPromise, *view_names: str) -> None:
    """The pages ``view_names`` ("namespace:name") are called ``words`` (lazily translated) on
    the access history: several routes of one page (the plan builder's forms) share them."""
    for view_name in view_names:
        PAGE_WORDS[view_name] = words
