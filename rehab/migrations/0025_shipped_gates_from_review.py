"""The shipped operative template started jogging and single-leg eccentric heel lowering before
the criteria that gate them (clinical.md §2: walk-jog intervals "once 5 single-leg heel rises at
about 90 % of the other side's height are shown"; eccentric lowering "only after 3 x 15
pain-free bilateral raises"). Its phase 5 (weeks 12-16) prescribed both from its first day,
while the heel-rise test was phase 5's own exit criterion and nothing showed the 3 x 15 raises.

As in the non-operative template (its jogging is in phase 6, after phase 5's heel-rise
criterion), phase 5 is now "Single-leg strength": the two items leave it (phase 6 holds both),
and the clinician's criterion "3 x 15 bilateral heel raises without pain" takes the place of its
criterion on 20 minutes of walk-jog intervals, which it no longer prescribes. Phase 6, where
they now start, starts them at the doses phase 5 started them at (3 x 10 lowerings, 20 minutes,
as in the non-operative template), and its words carry what phase 5 said of them.

Only the shared template's rows still as shipped change (as in 0021 and 0023); the two items
leave phase 5 whatever their dose, when a later phase still holds the exercise.

The shared exercise "ankle-active-motion-to-neutral" was safe from week 2 without surgery too,
so a non-operative patient in weeks 2-6 could be given movement to neutral without a reason,
while those weeks keep active movement to the boot's angle (clinical.md §2, corrections; the
exercise "ankle-active-motion-to-boot-angle" is for them). Its non-operative earliest week is now
6, when the foot is flat in the boot (the non-operative template's phase 3), with the reason and
source saying so. As the library itself refuses (``early_in_templates``), it is left as it is
while a published non-operative template places it in a phase starting earlier: that template
moves it first, and staff then change the week in the admin.

Patients' plans are never changed: a plan already made keeps its own copy, the clinician's to
edit.
"""

from django.db import migrations

OPERATIVE = "achilles-operative"
GATE = "3 × 15 bilateral heel raises without pain, before single-leg eccentric lowering"
WALK_JOG_CRITERION = "Walk–jog intervals of 20 minutes without pain the next day"
# Out of phase 5: phase 6 holds them.
MOVED = ("heel-lowering-single-leg-eccentric", "walk-jog-intervals")

SUMMARY = (
    "Six phases after surgical repair of an Achilles tendon rupture; week 0 is the day of "
    "surgery. Protection in a splint; protected weight-bearing and ankle movement to neutral in "
    "a boot with a heel lift, one-leg cycling; balance and early strength once the heel lift is "
    "out; out of the boot by 12 weeks with a heel lift in the shoes; single-leg strength and "
    "walk–jog intervals on criteria from week 12; hopping and return to sport after 16 weeks. "
    "Calf stretching only for a measured deficit. Defaults for a physiotherapist to adapt to the "
    "surgeon's instructions and to the patient; not advice to a patient.",
    "Six phases after surgical repair of an Achilles tendon rupture; week 0 is the day of "
    "surgery. Protection in a splint; protected weight-bearing and ankle movement to neutral in "
    "a boot with a heel lift, one-leg cycling; balance and early strength once the heel lift is "
    "out; out of the boot by 12 weeks with a heel lift in the shoes; single-leg strength from "
    "week 12 up to the criteria for walk–jog intervals and eccentric lowering, which start "
    "after 16 weeks with hopping and return to sport. Calf stretching only for a measured "
    "deficit. Defaults for a physiotherapist to adapt to the surgeon's instructions and to the "
    "patient; not advice to a patient.",
)

# (phase order, field): (as shipped before, now)
PHASE_TEXT = {
    (5, "name"): ("Single-leg strength and first jogging", "Single-leg strength"),
    (5, "goals"): (
        "Single-leg heel raises from week 12, training the exit criterion (5 single-leg heel "
        "rises at about 90 % height; Barfod 2016); heel-raise volume is not reduced from phase "
        "4.\nSingle-leg eccentric lowering from week 12, only after 3 × 15 pain-free bilateral "
        "raises.\nWalk–jog intervals from weeks 12–14 once the criterion is met (ctorthopaedic; "
        "Barfod 2016).",
        "Single-leg heel raises from week 12, training the exit criterion (5 single-leg heel "
        "rises at about 90 % height; Barfod 2016); heel-raise volume is not reduced from phase "
        "4.\n3 × 15 bilateral heel raises, shown pain-free before single-leg eccentric lowering "
        "starts in phase 6.\nWalk–jog intervals (from weeks 12–14 on criteria; ctorthopaedic, "
        "Barfod 2016) start in phase 6, once the heel-rise criterion is shown.",
    ),
    (5, "precautions"): (
        "Jogging only once 5 single-leg heel rises at about 90 % of the other side's height are "
        "shown (Barfod 2016).\nEccentric lowering on flat floor, only after 3 × 15 pain-free "
        "bilateral raises.\nChange one thing at a time; if pain or swelling lasts to the next "
        "day, go back a step.",
        "No jogging yet: walk–jog intervals start in phase 6, once 5 single-leg heel rises at "
        "about 90 % of the other side's height are shown (Barfod 2016).\nNo single-leg eccentric "
        "lowering yet: it starts in phase 6, only after 3 × 15 pain-free bilateral raises. Heel "
        "raises on flat floor; no dropping the heel off a step.\nChange one thing at a time; if "
        "pain or swelling lasts to the next day, go back a step.",
    ),
    (5, "exit_criteria"): (
        "5 single-leg heel rises at about 90 % of the other side's height, before running on "
        f"even ground (Barfod et al.)\n{WALK_JOG_CRITERION}",
        "5 single-leg heel rises at about 90 % of the other side's height, before running on "
        f"even ground (Barfod et al.)\n{GATE}",
    ),
    (5, "patient_name"): ("Strength on one leg and first jogging", "Strength on one leg"),
    (5, "patient_summary"): (
        "You start heel raises on your injured leg alone. When your physiotherapist has checked "
        "that you can do 5 of them nearly as high as on the other side, you start walking and "
        "jogging in turns.",
        "You start heel raises on your injured leg alone and keep up heel raises on both feet. "
        "Jogging comes when your physiotherapist has checked that you can do 5 heel raises on "
        "your injured leg nearly as high as on the other side; lowering yourself slowly on one "
        "leg comes once 3 sets of 15 heel raises on both feet do not hurt.",
    ),
    (5, "patient_care"): (
        "Start jogging only when your physiotherapist says you are ready.\nLower yourself slowly "
        "on one leg only on a flat floor, and only once heel raises on both feet are easy.\n"
        "Change one thing at a time. If pain or swelling lasts to the next day, go back a step.",
        "Do not jog yet: your physiotherapist will tell you when you are ready.\nDo not lower "
        "yourself on one leg yet. Do heel raises on a flat floor: do not let your heel drop off "
        "a step.\nChange one thing at a time. If pain or swelling lasts to the next day, go "
        "back a step.",
    ),
    (6, "goals"): (
        "Full calf strength and endurance.\nTwo-leg then single-leg hops and sport-specific "
        "drills after 16 weeks; running and cutting from week 16, return to sport at 5–6 months "
        "(ctorthopaedic).\nHigh-impact activity after 9 months, once a single-limb heel rise is "
        "shown (ortho.boston); contact sport not before 6–9 months.",
        "Full calf strength and endurance.\nWalk–jog intervals once 5 single-leg heel rises at "
        "about 90 % height are shown (phase 5's exit criterion; from weeks 12–14 on criteria, "
        "ctorthopaedic; Barfod 2016); single-leg eccentric lowering once 3 × 15 pain-free "
        "bilateral raises are shown (phase 5's exit criterion).\nTwo-leg then single-leg hops "
        "and sport-specific drills after 16 weeks; running and cutting from week 16, return to "
        "sport at 5–6 months (ctorthopaedic).\nHigh-impact activity after 9 months, once a "
        "single-limb heel rise is shown (ortho.boston); contact sport not before 6–9 months.",
    ),
    (6, "precautions"): (
        "Hopping only once jogging is pain-free; single-leg hops only after two-leg hops and a "
        "single-limb heel rise (ortho.boston).\nStanding calf stretches only for a measured "
        "deficit, to mild tension.\nChange one thing at a time; if pain or swelling lasts to the "
        "next day, go back a step.",
        "Jogging only once 5 single-leg heel rises at about 90 % of the other side's height are "
        "shown (Barfod 2016).\nEccentric lowering on flat floor, only after 3 × 15 pain-free "
        "bilateral raises.\nHopping only once jogging is pain-free; single-leg hops only after "
        "two-leg hops and a single-limb heel rise (ortho.boston).\nStanding calf stretches only "
        "for a measured deficit, to mild tension.\nChange one thing at a time; if pain or "
        "swelling lasts to the next day, go back a step.",
    ),
    (6, "patient_summary"): (
        "You build full strength, then hop on both feet, then on one, and run further. Your "
        "physiotherapist tells you when you are ready for your sport; contact sport comes last.",
        "You walk and jog in turns, lower yourself slowly on one leg and build full strength, "
        "then hop on both feet, then on one, and run further. Your physiotherapist tells you "
        "when you are ready for your sport; contact sport comes last.",
    ),
    (6, "patient_care"): (
        "Hop on one leg only after hopping on both feet is easy.\nStretch only if your "
        "physiotherapist has given you a stretch.\nChange one thing at a time. If pain or "
        "swelling lasts to the next day, go back a step.",
        "Jog only once your physiotherapist has checked your single-leg heel raises.\nLower "
        "yourself slowly on one leg only on a flat floor, and only once heel raises on both feet "
        "are easy.\nHop on one leg only after hopping on both feet is easy.\nStretch only if "
        "your physiotherapist has given you a stretch.\nChange one thing at a time. If pain or "
        "swelling lasts to the next day, go back a step.",
    ),
}

# Phase 6's first doses of the two, as phase 5 started them: (exercise, field): (before, now)
PHASE_6_DOSES = {
    ("heel-lowering-single-leg-eccentric", "reps"): (15, 10),
    ("walk-jog-intervals", "duration_minutes"): (30, 20),
}

TO_NEUTRAL = "ankle-active-motion-to-neutral"
TO_NEUTRAL_WEEK_NON_OPERATIVE = (2, 6)  # (as shipped before, now)
TO_NEUTRAL_TEXT = {
    "earliest_week_reason": (
        "The boot comes off for exercise from week 2. Movement stays active and short of "
        "neutral because dorsiflexion past neutral is avoided for the first 6–8 weeks.",
        "After surgery the boot comes off for exercise from week 2; movement stays active and "
        "stops at neutral, because dorsiflexion past neutral is avoided for the first 6–8 "
        "weeks. Without surgery, weeks 2–6 keep active movement to the boot's angle (about 20° "
        "of plantarflexion: the boot-angle exercise), so movement to neutral waits until the "
        "foot is flat in the boot, from week 6.",
    ),
    "earliest_week_source": (
        "Table E-1, surgical group (fernandoaranmd.com/achilles-tendon-repair-1); London "
        "Orthopaedic non-operative protocol, weeks 2–4.",
        "Table E-1, surgical group, weeks 2–4 (fernandoaranmd.com/achilles-tendon-repair-1): "
        "active plantarflexion and dorsiflexion to neutral only. Without surgery: London "
        "Orthopaedic non-operative (functional) protocol, weeks 2–4: dorsiflex back to the boot "
        "position, not beyond; one wedge removed per week to a flat foot by 6–8 weeks.",
    ),
}


def gate_operative_phase_5(apps):
    Protocol = apps.get_model("rehab", "Protocol")
    ProtocolPhase = apps.get_model("rehab", "ProtocolPhase")
    ProtocolItem = apps.get_model("rehab", "ProtocolItem")
    ProtocolCriterion = apps.get_model("rehab", "ProtocolCriterion")

    protocol = Protocol.objects.filter(slug=OPERATIVE, clinic__isnull=True).first()
    phase = ProtocolPhase.objects.filter(protocol=protocol, order=5).first()
    if phase is None:
        return  # a new database: ``loaddata library protocols`` installs this release's

    Protocol.objects.filter(pk=protocol.pk, summary=SUMMARY[0]).update(summary=SUMMARY[1])
    for (order, field), (before, after) in PHASE_TEXT.items():
        ProtocolPhase.objects.filter(protocol=protocol, order=order, **{field: before}).update(
            **{field: after}
        )

    # The items leave phase 5 (when a later phase holds the exercise); the rest close up.
    later = ProtocolItem.objects.filter(
        phase__protocol=protocol, phase__order__gt=phase.order
    ).values_list("exercise__slug", flat=True)
    moved = [slug for slug in MOVED if slug in set(later)]
    ProtocolItem.objects.filter(phase=phase, exercise__slug__in=moved).delete()
    for position, item in enumerate(ProtocolItem.objects.filter(phase=phase).order_by("order"), 1):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
    for (slug, field), (before, after) in PHASE_6_DOSES.items():
        ProtocolItem.objects.filter(
            phase__protocol=protocol, phase__order=6, exercise__slug=slug, **{field: before}
        ).update(**{field: after})

    # The gate before the eccentric lowering, in place of the walk-jog criterion.
    criteria = ProtocolCriterion.objects.filter(phase=phase)
    if criteria.filter(label=GATE).exists():
        return
    walk_jog = criteria.filter(kind="clinician", label=WALK_JOG_CRITERION).first()
    if walk_jog is not None:
        walk_jog.label = GATE
        walk_jog.save(update_fields=["label"])
    else:
        last = criteria.order_by("-order").values_list("order", flat=True).first() or 0
        ProtocolCriterion.objects.create(
            phase=phase, order=last + 1, kind="clinician", label=GATE, threshold=None, measure=""
        )


def ankle_to_neutral_from_the_flat_foot(apps):
    Exercise = apps.get_model("rehab", "Exercise")
    ProtocolPhase = apps.get_model("rehab", "ProtocolPhase")

    before, after = TO_NEUTRAL_WEEK_NON_OPERATIVE
    exercise = Exercise.objects.filter(
        clinic__isnull=True, slug=TO_NEUTRAL, earliest_week_non_operative=before
    ).first()
    if exercise is None:
        return  # a new database (loaddata installs this release's), or changed since shipped
    if ProtocolPhase.objects.filter(
        protocol__is_published=True,
        protocol__is_draft=False,
        protocol__pathway="non_operative",
        start_week__lt=after,
        items__exercise=exercise,
    ).exists():
        return  # as the library refuses it (early_in_templates): those templates move it first
    exercise.earliest_week_non_operative = after
    for field, (shipped, now) in TO_NEUTRAL_TEXT.items():
        if getattr(exercise, field) == shipped:
            setattr(exercise, field, now)
    exercise.save(update_fields=["earliest_week_non_operative", *TO_NEUTRAL_TEXT, "updated_at"])


def forward(apps, schema_editor):
    gate_operative_phase_5(apps)
    ankle_to_neutral_from_the_flat_foot(apps)


class Migration(migrations.Migration):
    dependencies = [("rehab", "0024_atrs_submission_later_client_ids")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
