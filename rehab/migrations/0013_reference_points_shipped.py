"""The reference trajectories of clinical.md §6, each point with its source. Weeks from the
time zero: 8 weeks; 6 months = 26; 9 months = 39; 12 months = 52."""

from decimal import Decimal

from django.db import migrations

UKSTAR = "UKSTAR, Costa 2020, Lancet 395:441, PMC7016510"
NH2010 = "Nilsson-Helander 2010, AJSM, doi 10.1177/0363546510376052"
CARMONT_2015 = "Carmont 2015, PMID 29264240"
CARMONT_2020 = "Carmont 2020, KSSTA, PMC7176605"
NH2007 = "Nilsson-Helander 2007, PMID 17158277"
SILBERNAGEL = "Silbernagel 2010, KSSTA 18:258, PMID 19690833"

# (measure, cohort, week, value, sd, statistic, group, source)
POINTS = (
    (
        "atrs",
        "non_operative",
        8,
        "38",
        None,
        "mean",
        "non-operative, cast and brace pooled (540)",
        UKSTAR,
    ),
    (
        "atrs",
        "non_operative",
        39,
        "73",
        None,
        "mean",
        "non-operative, cast and brace pooled (540)",
        UKSTAR,
    ),
    (
        "atrs",
        "operative",
        26,
        "72",
        None,
        "mean",
        "operative (97, with the non-operative arm)",
        NH2010,
    ),
    (
        "atrs",
        "non_operative",
        26,
        "71",
        None,
        "mean",
        "non-operative (97, with the operative arm)",
        NH2010,
    ),
    (
        "atrs",
        "operative",
        52,
        "88",
        None,
        "mean",
        "operative (97, with the non-operative arm)",
        NH2010,
    ),
    (
        "atrs",
        "non_operative",
        52,
        "86",
        None,
        "mean",
        "non-operative (97, with the operative arm)",
        NH2010,
    ),
    ("atrs", "operative", 39, "85", "10", "mean", "operative (26), from repair", CARMONT_2015),
    (
        "atrs",
        "operative",
        52,
        "94",
        None,
        "median",
        "operative, acute repair (range 75–100)",
        CARMONT_2020,
    ),
    ("atrs", "healthy", None, "99.8", "1.1", "mean", "healthy (52): the ceiling line", NH2007),
    (
        "heel_rise_reps_lsi",
        "both",
        26,
        "84",
        None,
        "mean",
        "operative + non-operative (78)",
        SILBERNAGEL,
    ),
    (
        "heel_rise_reps_lsi",
        "both",
        52,
        "95",
        None,
        "mean",
        "operative + non-operative (78)",
        SILBERNAGEL,
    ),
    ("heel_rise_height_lsi", "operative", 52, "74", "14", "mean", "operative, acute", CARMONT_2020),
    ("heel_rise_reps_lsi", "operative", 52, "71", "20", "mean", "operative, acute", CARMONT_2020),
)


def forward(apps, schema_editor):
    ReferencePoint = apps.get_model("rehab", "ReferencePoint")
    for measure, cohort, week, value, sd, statistic, group, source in POINTS:
        ReferencePoint.objects.get_or_create(
            measure=measure,
            cohort=cohort,
            week=week,
            source=source,
            defaults={
                "value": Decimal(value),
                "sd": None if sd is None else Decimal(sd),
                "statistic": statistic,
                "group": group,
            },
        )


def backward(apps, schema_editor):
    ReferencePoint = apps.get_model("rehab", "ReferencePoint")
    for measure, cohort, week, _value, _sd, _statistic, _group, source in POINTS:
        ReferencePoint.objects.filter(
            measure=measure, cohort=cohort, week=week, source=source
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("rehab", "0012_reference_trajectories")]

    operations = [migrations.RunPython(forward, backward)]
