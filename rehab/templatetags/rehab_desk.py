"""The clinician's navigation counts (``base.html``): the clinic's open alerts and unread
messages. The dashboard, which counts them itself (``alert_count``, ``unread_total``), costs
nothing more; any other clinician's page two queries. And the head of the desk's tables
(``table_head``)."""

from __future__ import annotations

from typing import Any

from django import template

from rehab.selectors.desk import DeskCounts, desk_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def clinician_counts(context: template.Context, clinician: Any) -> DeskCounts:
    if "alert_count" in context and "unread_total" in context:
        return DeskCounts(
            open_alerts=context["alert_count"], unread_messages=context["unread_total"]
        )
    return desk_counts(clinician.clinic_id)


@register.inclusion_tag("components/table_head.html")
def table_head(*columns: str) -> dict[str, Any]:
    """A table's ``<thead>``: a row of column headers in the order given, each a translated
    literal: ``{% table_head _("Name") _("Role") %}``."""
    return {"columns": columns}
