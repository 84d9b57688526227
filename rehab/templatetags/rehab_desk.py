"""The clinician's navigation counts (``base.html``): the clinic's open alerts and unread
messages. A count the page has made itself (``alert_count``, ``unread_total``: the dashboard
both, the open alerts inbox the first) costs nothing more; any other, one query each. And
components of the desk's pages: the head of a table (``table_head``), a form that posts to one
view with one button (``post_form``), the way back above a page's title (``back_link``), a title
with its one action (``title_bar``), a group of a form's fields under its legend (``fieldset``)
and one pill of a list's views (``nav_pill``); and a 0-10 answer in the clinician's words
(``out_of_ten``) and the words of a patient's report (``report_labels``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from rehab.selectors.desk import DeskCounts, desk_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def clinician_counts(context: template.Context, clinician: Any) -> DeskCounts:
    return desk_counts(
        clinician.clinic_id,
        open_alerts=context.get("alert_count"),
        unread_messages=context.get("unread_total"),
    )


@register.inclusion_tag("components/table_head.html")
def table_head(*columns: str) -> dict[str, Any]:
    """A table's ``<thead>``: a row of column headers in the order given, each a translated
    literal: ``{% table_head _("Name") _("Role") %}``."""
    return {"columns": columns}


@register.inclusion_tag("components/post_form.html")
def post_form(
    view: str,
    *args: Any,
    label: str,
    button: str = "btn-primary",
    fields: Any = None,
    form_class: str = "",
) -> dict[str, Any]:
    """A ``<form method="post">`` to the view named ``view`` (reversed with ``args``): ``fields``
    if given (a form, or a field's ``as_field_group``), then one submit button ``label`` of classes
    ``btn`` and ``button``; ``form_class`` is the form's own class. The CSRF token comes from the
    page's context."""
    return {
        "action": reverse(view, args=args),
        "label": label,
        "button": button,
        "fields": fields,
        "form_class": form_class,
    }


@register.inclusion_tag("components/back_link.html")
def back_link(view: str, *args: Any, label: str) -> dict[str, Any]:
    """The link ``label`` to the view named ``view`` (reversed with ``args``), alone on its line
    above the page's title."""
    return {"href": reverse(view, args=args), "label": label}


@register.inclusion_tag("components/title_bar.html")
def title_bar(title: str, view: str, *args: Any, label: str, button: str) -> dict[str, Any]:
    """The page's ``<h1>`` ``title`` with, at the other end of its line, the link ``label`` to
    the view named ``view`` (reversed with ``args``) drawn as a button of classes ``btn`` and
    ``button``."""
    return {"title": title, "href": reverse(view, args=args), "label": label, "button": button}


@register.inclusion_tag("components/fieldset.html")
def fieldset(legend: str, *fields: Any, margin: str = "mb-4") -> dict[str, Any]:
    """The bound ``fields`` of a form, each drawn as its field group, under the ``legend`` in a
    ``<fieldset>`` of class ``margin``."""
    return {"legend": legend, "fields": fields, "margin": margin}


@register.inclusion_tag("components/nav_pill.html")
def nav_pill(href: str, label: str, *, shows: object, current: object) -> dict[str, Any]:
    """One pill of a list's views: the link ``label`` to ``href``, the view that ``shows`` what
    it names, marked as the current page (class and ``aria-current``) when the list shows it
    (``current``): ``{% nav_pill all_url _("All patients") shows=False current=show_mine %}``."""
    return {"href": href, "label": label, "active": shows == current}


@register.filter
def out_of_ten(score: int | None) -> str:
    """A 0-10 answer (pain, effort) as the clinician reads it: "4/10", or "not answered"."""
    if score is None:
        return gettext("not answered")
    return f"{score}/10"


@register.simple_tag
def report_labels() -> dict[str, str]:
    """The words of ``rehab/dashboard/_report.html``, translated once for a list of alerts
    (``{% report_labels as report_labels %}`` before the loop) rather than once for each row."""
    words = {
        "check_in": gettext("Check-in"),
        "pain_at_rest": gettext("Pain at rest"),
        "swelling": gettext("Swelling"),
        "red_flags": gettext("Red flags"),
        "no_red_flags": gettext("none"),
        "note": gettext("Patient's note"),
        "exercise": gettext("Exercise"),
        "pain": gettext("Pain"),
        "effort": gettext("Effort"),
    }
    # Written as {% translate %} writes a template's words: our text and its translators', not
    # escaped ("Patient's note", not "Patient&#x27;s note").
    return {key: mark_safe(word) for key, word in words.items()}  # noqa: S308
