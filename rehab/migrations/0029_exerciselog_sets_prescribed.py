"""Each exercise log keeps the sets its prescription asked for when it was made, so that a dose
raised later does not undo the sessions done before (``rehab.models.logbook.is_full_session``).
The logs made before this know only their prescription's sets now: those, the best there is.
0030 makes the column required."""
from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_sets(apps: Any, schema_editor: Any) -> None:
    ExerciseLog = apps.get_model("rehab", "ExerciseLog")
    Prescription = apps.get_model("rehab", "Prescription")
    ExerciseLog.objects.filter(sets_prescribed__isnull=True).update(
        sets_prescribed=Subquery(
            Prescription.objects.filter(pk=OuterRef("prescription_id")).values("sets")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0028_plan_edits"),
    ]

    operations = [
        migrations.AddField(
            model_name="exerciselog",
            name="sets_prescribed",
            field=models.PositiveSmallIntegerField(
                editable=False, null=True, verbose_name="sets prescribed"
            ),
        ),
        migrations.RunPython(copy_sets, migrations.RunPython.noop, elidable=True),
    ]
