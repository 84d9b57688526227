"""The shipped templates' text exit criteria become structured criteria (the text kept as each
criterion's label). What a line tests, where a measurement can tell (clinical.md §2, §3):

- "5 single-leg heel rises at about 90 % of the other side's height" → heel-rise height LSI ≥ 90
- "Walks 5 m on the toes without the heel dropping" → the 5 m toe walk (yes)
- "20 or more heel rises" → single-leg heel rises on the injured side ≥ 20
- "A single-limb heel rise" → single-leg heel rises on the injured side ≥ 1

Every other line is the clinician's yes/no. Plans' phases are converted the same way, so the
criteria of plans made before this migration are tested too.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import migrations

RULES: tuple[tuple[re.Pattern[str], str, Decimal], ...] = (
    (
        re.compile(r"heel rises at about 90 ?% of the other side.s height", re.I),
        "heel_rise_height_lsi",
        Decimal(90),
    ),
    (re.compile(r"5 m on the toes", re.I), "toe_walk_5m", Decimal(1)),
    (re.compile(r"^20 or more heel rises", re.I), "heel_rise_reps_injured", Decimal(20)),
    (re.compile(r"^a single-limb heel rise", re.I), "heel_rise_reps_injured", Decimal(1)),
)


def criterion_of(line: str) -> dict[str, Any]:
    for pattern, measure, threshold in RULES:
        if pattern.search(line):
            return {"kind": "measurement", "measure": measure, "threshold": threshold}
    return {"kind": "clinician", "measure": "", "threshold": None}


def convert(apps: Any, schema_editor: Any) -> None:
    for phase_model, criterion_model in (
        ("ProtocolPhase", "ProtocolCriterion"),
        ("PlanPhase", "PlanCriterion"),
    ):
        Phase = apps.get_model("rehab", phase_model)
        Criterion = apps.get_model("rehab", criterion_model)
        rows = []
        for phase in Phase.objects.exclude(exit_criteria="").filter(criteria__isnull=True):
            lines = [line.strip() for line in phase.exit_criteria.splitlines() if line.strip()]
            for order, line in enumerate(lines, start=1):
                rows.append(
                    Criterion(phase=phase, order=order, label=line[:300], **criterion_of(line))
                )
        Criterion.objects.bulk_create(rows)


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("rehab", "ProtocolCriterion").objects.all().delete()
    apps.get_model("rehab", "PlanCriterion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rehab", "0009_exit_criteria")]

    operations = [migrations.RunPython(convert, remove)]
