"""The days of plans in care as adherence counts them (``rehab.selectors.adherence`` and
``adherence_totals``): the phase in force on each day, and the days a red flag paused a plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from rehab.models.alerts import PlanHold
from rehab.models.plans import Plan


def paused_days(
    zones: dict[int, dt.tzinfo],
    *,
    start: dt.date,
    end: dt.date,
    plans: QuerySet[Plan] | None = None,
) -> dict[int, set[dt.date]]:
    """The days from ``start`` to ``end`` a red flag paused each plan (``zones``: plan id →
    its patient's time zone), by plan id: from the day the pause began to the day a clinician
    resumed the plan, both included, in the patient's days. On those days the patient was told
    not to exercise: what they did counts, nothing is owed (as on a day in progress). One
    query, of the holds that touch the range: of ``plans`` if given (a query of those plans,
    or more: a subquery costs less to send than hundreds of ids), else of the plans ``zones``
    names."""
    if not zones:
        return {}
    low = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    holds = (
        PlanHold.objects.filter(plan_id__in=list(zones))
        if plans is None
        else PlanHold.objects.filter(plan__in=plans)
    )
    held: dict[int, set[dt.date]] = defaultdict(set)
    for plan_id, started_at, resumed_at in (
        holds.filter(Q(resumed_at__isnull=True) | Q(resumed_at__gte=low), started_at__lt=high)
        .order_by()
        .values_list("plan_id", "started_at", "resumed_at")
    ):
        if plan_id not in zones:  # of ``plans`` but not counted
            continue
        zone = zones[plan_id]
        first = max(started_at.astimezone(zone).date(), start)
        last = min(resumed_at.astimezone(zone).date(), end) if resumed_at else end
        held[plan_id].update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return held


def phases_by_day(changes: list[tuple[dt.date, int]], days: list[dt.date]) -> list[int | None]:
    """The phase in force on each of ``days`` (in order) by a plan's phase ``changes`` (effective
    on, to phase), in order: that of the last change effective by then. One pass over both."""
    result: list[int | None] = []
    current, following = None, 0
    for day in days:
        while following < len(changes) and changes[following][0] <= day:
            current = changes[following][1]
            following += 1
        result.append(current)
    return result
