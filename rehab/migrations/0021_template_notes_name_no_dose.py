"""The shipped templates' notes to the patient, copied onto each prescription made from them and
shown on the patient's Today card under the prescribed dose, named a dose of their own or told
the patient to progress alone: "Build towards 20 or more" under 3 × 5 single-leg heel raises,
"Start with 10–15 seconds; build up to 30–60 seconds" under a 10 s hold. They now leave the dose
to the plan and the progression to the physiotherapist.

Only the shipped templates' rows still as shipped change. Patients' plans are never changed
(as in 0007): a note already copied into a plan is the clinician's to edit."""

from django.db import migrations

# (template, phase order, exercise): (the note as shipped before, the note now)
NOTES = {
    ("achilles-operative", 3, "balance-both-hands"): (
        "Start with 15–20 s; lean on your hands as much as you need.",
        "Lean on your hands as much as you need.",
    ),
    ("achilles-operative", 3, "stationary-bike-in-boot"): (
        "About 10 minutes, heel on the pedal, little or no resistance.",
        "Heel on the pedal, little or no resistance.",
    ),
    ("achilles-operative", 4, "heel-raise-bilateral"): (
        "Start with about 10; add a few more only if the tendon is fine the next day.",
        "Your physiotherapist adds more only when the tendon is fine the day after.",
    ),
    ("achilles-operative", 5, "heel-raise-single-leg"): (
        "Hold on for balance. Build towards 20 or more.",
        "Hold on for balance. Your physiotherapist will build this up as you get stronger.",
    ),
    ("achilles-operative", 5, "balance-no-hands"): (
        "Start with 10–15 seconds; build up to 30–60 seconds.",
        "Your physiotherapist will lengthen the hold as your balance improves.",
    ),
    ("achilles-operative", 6, "walk-jog-intervals"): (
        "Build up to continuous running on flat ground.",
        "On flat ground. Your physiotherapist will build this up to continuous running.",
    ),
    ("achilles-operative", 6, "balance-no-hands"): (
        "Start with 10–15 s; build up to 30–60 s.",
        "Your physiotherapist will lengthen the hold as your balance improves.",
    ),
    ("achilles-non-operative", 4, "heel-raise-bilateral"): (
        "Rise and lower over about 3 seconds "
        "each. If 3 × 10 is too much at first, "
        "start with about 10, as in the video.",
        "Rise and lower over about 3 seconds "
        "each. If the whole dose is too much at "
        "first, do fewer and tell your "
        "physiotherapist.",
    ),
    ("achilles-non-operative", 4, "balance-both-hands"): (
        "Build up from 15–20 s to 30 s; use fewer fingers as your physiotherapist advises.",
        "Use fewer fingers as your physiotherapist advises.",
    ),
    ("achilles-non-operative", 5, "heel-raise-single-leg"): (
        "Hold on for balance. Build towards 20 or more.",
        "Hold on for balance. Your physiotherapist will build this up as you get stronger.",
    ),
    ("achilles-non-operative", 6, "balance-no-hands"): (
        "Start with 10–15 s; build up to 30–60 s.",
        "Your physiotherapist will lengthen the hold as your balance improves.",
    ),
}


def forward(apps, schema_editor):
    ProtocolItem = apps.get_model("rehab", "ProtocolItem")
    for (protocol, order, exercise), (before, after) in NOTES.items():
        ProtocolItem.objects.filter(
            phase__protocol__slug=protocol,
            phase__protocol__clinic__isnull=True,
            phase__order=order,
            exercise__slug=exercise,
            note=before,
        ).update(note=after)


class Migration(migrations.Migration):
    dependencies = [("rehab", "0020_steps_name_no_dose")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
