"""The shipped non-operative template's phase 5 asked for fewer heel raises a day than phase 4
(3 x 15 once a day plus 3 x 5 on one leg: 60, against 3 x 10 three times a day: 90), which its
own goals and clinical.md §2 rule out ("heel-raise volume is not reduced from phase 4"). Its
two-leg heel raises are now twice a day (90, and 15 on one leg).

Only the shipped template's row still as shipped changes. Patients' plans are never changed
(as in 0007 and 0021): a dose already copied into a plan is the clinician's to edit."""

from django.db import migrations


def forward(apps, schema_editor):
    ProtocolItem = apps.get_model("rehab", "ProtocolItem")
    ProtocolItem.objects.filter(
        phase__protocol__slug="achilles-non-operative",
        phase__protocol__clinic__isnull=True,
        phase__order=5,
        exercise__slug="heel-raise-bilateral",
        sets=3,
        reps=15,
        times_per_day=1,
    ).update(times_per_day=2)


class Migration(migrations.Migration):
    dependencies = [("rehab", "0022_checkin_submission_later_client_ids")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
