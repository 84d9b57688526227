"""What the admin tests of both apps share: admin URLs and form data as a browser posts it.

The ``staff_client`` fixture (a signed-in superuser) is in ``tests/conftest.py``.
"""

from __future__ import annotations

from typing import Any

from django.forms import FileField
from django.urls import reverse


def admin_url(model: type[Any], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def post_data_from(response: Any, **overrides: Any) -> dict[str, Any]:
    """The admin form as rendered (main form, inlines and their management forms), as POST data.

    Booleans that are off and file inputs are left out, as a browser does; ``overrides`` then
    replace values (``None`` removes one).
    """
    forms: list[Any] = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False or isinstance(bound.field, FileField):
                continue
            data[bound.html_name] = "on" if value is True else value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def assert_changelist_lists(
    client: Any, model: type[Any], text: str, queries: list[dict[str, Any]]
) -> None:
    """The model's change list shows ``text``, and answers each search and filter in
    ``queries``."""
    url = admin_url(model, "changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.content.decode()
    for query in queries:
        assert client.get(url, query).status_code == 200, query
