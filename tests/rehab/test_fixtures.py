"""The seeded library and protocol templates in ``fixtures/``: loadable twice, and safe.

The guardrail weeks come from the clinical brief's §2 (revised after the 2026 clinical review); no template may
place an exercise in a phase that starts before the exercise's earliest safe week.
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command

from rehab.models import (
    CriterionKind,
    Equipment,
    Exercise,
    Prescription,
    Protocol,
    ProtocolCriterion,
    ProtocolItem,
    ProtocolPhase,
)
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
FIXTURE_FILES = (FIXTURES_DIR / "library.json", FIXTURES_DIR / "protocols.json")

# shared/clinical.md §2, "Safety rules for the library": (operative, non-operative).
VIDEO_GUARDRAIL_WEEKS: dict[str, tuple[int, int]] = {
    "towel-calf-stretch": (8, 16),
    "standing-gastrocnemius-stretch": (12, 16),
    "standing-soleus-stretch": (12, 16),
    "heel-raise-bilateral": (8, 9),
    "balance-both-hands": (6, 9),
    "balance-two-fingers": (6, 9),
    "balance-one-finger": (6, 9),
    "balance-no-hands": (6, 9),
}
VIDEO_EXERCISES = (
    "towel-calf-stretch",
    "standing-gastrocnemius-stretch",
    "standing-soleus-stretch",
    "heel-raise-bilateral",
)
BALANCE_LEVELS = (
    "balance-both-hands",
    "balance-two-fingers",
    "balance-one-finger",
    "balance-no-hands",
)
PROTOCOLS = {"achilles-operative": "operative", "achilles-non-operative": "non_operative"}


def _fixture_labels() -> list[str]:
    """Fixture names if ``FIXTURE_DIRS`` finds them, else their full paths."""
    dirs = [Path(d).resolve() for d in getattr(settings, "FIXTURE_DIRS", [])]
    if FIXTURES_DIR.resolve() in dirs:
        return ["library", "protocols"]
    return [str(path) for path in FIXTURE_FILES]


def _load() -> None:
    call_command("loaddata", *_fixture_labels(), verbosity=0)


def _rows(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def _item_keys() -> list[tuple[str, int, int]]:
    """Every protocol item's natural key, read from the fixture file at collection time."""
    return [
        (row["fields"]["phase"][0], row["fields"]["phase"][1], row["fields"]["order"])
        for row in _rows(FIXTURES_DIR / "protocols.json")
        if row["model"] == "rehab.protocolitem"
    ]


def _snapshot() -> dict[str, list[Any]]:
    return {
        "equipment": list(Equipment.objects.order_by("slug").values()),
        "exercise": list(Exercise.objects.order_by("slug").values()),
        "exercise_equipment": sorted(
            Exercise.equipment.through.objects.values_list("exercise__slug", "equipment__slug")
        ),
        "protocol": list(Protocol.objects.order_by("slug").values()),
        "phase": list(ProtocolPhase.objects.order_by("protocol__slug", "order").values()),
        "item": list(
            ProtocolItem.objects.order_by("phase__protocol__slug", "phase__order", "order").values()
        ),
    }


@pytest.fixture
def loaded(db: None) -> None:
    _load()


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixtures_use_natural_keys_only(path: Path) -> None:
    rows = _rows(path)
    assert rows
    with_pk = [row for row in rows if "pk" in row]
    assert not with_pk, f"{path.name}: rows with a pk: {with_pk[:3]}"


def test_loading_twice_gives_the_same_rows_and_values() -> None:
    _load()
    first = _snapshot()
    _load()
    second = _snapshot()
    assert {name: len(rows) for name, rows in first.items()} == {
        name: len(rows) for name, rows in second.items()
    }
    assert first == second
    assert len(first["exercise"]) >= 12
    assert len(first["protocol"]) == 2


def test_every_row_passes_model_validation(loaded: None) -> None:
    """Dose ranges, week ranges and required fields, as the admin would check them."""
    for model in (Equipment, Exercise, Protocol, ProtocolPhase, ProtocolItem):
        for obj in model.objects.all():
            obj.full_clean()


def test_library_holds_the_video_exercises_and_the_balance_series(loaded: None) -> None:
    slugs = (*VIDEO_EXERCISES, *BALANCE_LEVELS)
    exercises = Exercise.objects.in_bulk(slugs, field_name="slug")
    assert set(exercises) == set(slugs)
    assert all(exercises[slug].from_video for slug in slugs)
    assert Exercise.objects.filter(from_video=True).count() == len(slugs)
    for slug in BALANCE_LEVELS:
        assert exercises[slug].category == Exercise.Category.BALANCE
    for slug in ("towel-calf-stretch", "standing-gastrocnemius-stretch", "standing-soleus-stretch"):
        stretch = exercises[slug]
        assert stretch.category == Exercise.Category.STRETCH
        assert (stretch.default_sets, stretch.default_hold_seconds) == (3, 30)
        assert stretch.default_reps is None
    heel_raise = exercises["heel-raise-bilateral"]
    assert (heel_raise.default_sets, heel_raise.default_reps) == (1, 10)
    towel_equipment = set(exercises["towel-calf-stretch"].equipment.values_list("slug", flat=True))
    assert {"strap", "towel", "belt", "dog-leash"} <= towel_equipment


def test_balance_levels_progress_in_order(loaded: None) -> None:
    levels = [Exercise.objects.get(slug=slug) for slug in BALANCE_LEVELS]
    for level, next_level in itertools.pairwise(levels):
        assert level.progresses_to == next_level, f"{level.slug} should progress to {next_level}"
    assert levels[-1].progresses_to is None
    assert [level.default_hold_seconds for level in levels] == [20, 15, 15, 10]


def test_every_exercise_has_source_steps_and_safety_notes(loaded: None) -> None:
    for exercise in Exercise.objects.all():
        assert exercise.clinic_id is None, exercise.slug
        assert exercise.source.strip(), exercise.slug
        assert exercise.earliest_week_source.strip(), exercise.slug
        assert exercise.earliest_week_reason.strip(), exercise.slug
        for field in ("steps", "safety_notes"):
            value = getattr(exercise, field)
            assert isinstance(value, list), (exercise.slug, field)
            assert value, (exercise.slug, field)
            assert all(isinstance(line, str) and line.strip() for line in value)
        assert isinstance(exercise.cues, list), exercise.slug
        assert (
            exercise.default_reps is not None
            or exercise.default_hold_seconds is not None
            or exercise.default_duration_minutes is not None
        )


def test_video_exercises_have_full_steps_and_the_required_warnings(loaded: None) -> None:
    for exercise in Exercise.objects.filter(from_video=True):
        assert 5 <= len(exercise.steps) <= 8, exercise.slug
        assert "Ask Doctor Jo" in exercise.source, exercise.slug
        notes = " ".join(exercise.safety_notes).lower()
        assert "before and after surgery" in notes, exercise.slug
        assert "physiotherapist has prescribed" in notes, exercise.slug
        assert "mild discomfort" in notes, exercise.slug
        assert "never push through pain" in notes, exercise.slug


def test_exercises_not_from_the_video_are_marked_and_cite_their_own_source(loaded: None) -> None:
    others = Exercise.objects.filter(from_video=False)
    assert others.count() >= 8
    for exercise in others:
        assert exercise.source.strip(), exercise.slug
        assert "Not shown in the Ask Doctor Jo video" in exercise.source, exercise.slug
    early = {"toe-curls-and-spreading", "straight-leg-raise", "quadriceps-sets"}
    assert set(others.filter(earliest_week_operative=0).values_list("slug", flat=True)) >= early


@pytest.mark.parametrize(("slug", "weeks"), VIDEO_GUARDRAIL_WEEKS.items())
def test_video_exercise_guardrail_weeks_match_the_clinical_table(
    loaded: None, slug: str, weeks: tuple[int, int]
) -> None:
    exercise = Exercise.objects.get(slug=slug)
    assert (exercise.earliest_week_operative, exercise.earliest_week_non_operative) == weeks


@pytest.mark.parametrize(("slug", "pathway"), PROTOCOLS.items())
def test_protocols_have_six_ordered_contiguous_phases(
    loaded: None, slug: str, pathway: str
) -> None:
    protocol = Protocol.objects.get(slug=slug)
    assert protocol.pathway == pathway
    assert protocol.version == "2"  # the 2026 clinical review
    assert protocol.source.strip()
    assert protocol.clinic_id is None
    phases = list(protocol.phases.order_by("order"))
    assert [phase.order for phase in phases] == [1, 2, 3, 4, 5, 6]
    assert phases[0].start_week == 0
    for phase in phases:
        assert phase.end_week > phase.start_week, phase.name
        assert phase.goals.strip(), phase.name
        assert phase.precautions.strip(), phase.name
        assert phase.weight_bearing, phase.name
        assert phase.boot, phase.name
        assert phase.wedges, phase.name
        assert phase.exit_criteria_list, phase.name
        assert phase.items.count() >= 2, f"{phase} has fewer than 2 items"
    for earlier, later in itertools.pairwise(phases):
        assert earlier.end_week == later.start_week, f"{earlier} and {later} overlap or gap"


@pytest.mark.parametrize(
    ("protocol_slug", "phase_order", "item_order"),
    _item_keys(),
    ids=str,
)
def test_no_item_starts_before_its_exercise_is_safe(
    loaded: None, protocol_slug: str, phase_order: int, item_order: int
) -> None:
    item = ProtocolItem.objects.get_by_natural_key(protocol_slug, phase_order, item_order)
    phase = item.phase
    earliest = item.exercise.earliest_week_for(phase.protocol.pathway)
    assert phase.start_week >= earliest, (
        f"{protocol_slug} phase {phase_order} ({phase.name}, from week {phase.start_week}) "
        f"item {item_order} {item.exercise.slug}: not safe before week {earliest}"
    )


def test_every_protocol_item_is_checked_by_the_guardrail_test(loaded: None) -> None:
    assert ProtocolItem.objects.count() == len(_item_keys())


def test_later_phases_use_the_video_exercises(loaded: None) -> None:
    for slug in PROTOCOLS:
        used = set(
            ProtocolItem.objects.filter(phase__protocol__slug=slug).values_list(
                "exercise__slug", flat=True
            )
        )
        assert set(VIDEO_EXERCISES) <= used, slug
        assert used & set(BALANCE_LEVELS), slug


# --- The 2026 clinical review (the brief's §2 revised defaults, §8 plain words) -------------

# (operative, non-operative) earliest weeks of the revised rows of the guardrail table.
REVISED_GUARDRAIL_WEEKS: dict[str, tuple[int, int]] = {
    "heel-raise-single-leg": (12, 12),
    "heel-lowering-single-leg-eccentric": (12, 16),
    "cycling-uninjured-leg-only": (2, 2),
    "stationary-bike-in-boot": (6, 9),  # now "Stationary bike, both legs"
    "walk-jog-intervals": (12, 14),
    "hops-two-legs": (16, 16),
    "hops-single-leg": (16, 16),
}
EDUCATION = {
    "education-blood-clot-signs",
    "education-stairs",
    "education-boot-at-night",
    "education-tightness-after-boot",
    "education-heel-lift",
}
# Words a patient should not meet (the brief's §8), and what a citation looks like.
JARGON = re.compile(
    r"dorsiflex|plantarflex|gastrocnemius|soleus|eccentric|isometric|weight-bearing|"
    r"proprioception|\bneutral\b|\bWBAT\b|\bROM\b",
    re.IGNORECASE,
)
CITATION = re.compile(
    r"\bet al\b|PMC\d|PMID|Table E-1|§|\.md\b|\.com\b|\.org\b|\.nz\b|\.au\b|"
    r"\b(19|20)\d\d\b|Barfod|Willits|ctorthopaedic|ortho\.boston|unisportsortho|osv",
    re.IGNORECASE,
)
# A week number in patient text contradicts a physiotherapist who prescribes it earlier.
WEEK_NUMBER = re.compile(r"\bweeks? \d", re.IGNORECASE)


def _patient_words(texts: list[str]) -> list[tuple[str, str]]:
    """(text, what is wrong) for each patient text with jargon, a citation or a week number."""
    problems = []
    for text in texts:
        for name, pattern in (("jargon", JARGON), ("citation", CITATION), ("week", WEEK_NUMBER)):
            if pattern.search(text):
                problems.append((text, name))
    return problems


def test_every_shipped_exercise_speaks_to_the_patient_in_plain_words(loaded: None) -> None:
    for exercise in Exercise.objects.all():
        text = exercise.patient_text
        assert exercise.patient_name.strip(), exercise.slug
        assert text.summary.strip(), exercise.slug
        if exercise.category != Exercise.Category.EDUCATION:
            assert text.safety_notes, exercise.slug
        words = [text.name, text.summary, *text.steps, *text.cues, *text.safety_notes]
        assert not _patient_words(words), (exercise.slug, _patient_words(words))


def test_every_shipped_phase_speaks_to_the_patient_in_plain_words(loaded: None) -> None:
    for phase in ProtocolPhase.objects.all():
        text = phase.patient_text
        assert phase.patient_name.strip(), phase
        assert text.summary.strip(), phase
        assert text.care, phase
        words = [text.name, text.summary, *text.care]
        assert not _patient_words(words), (str(phase), _patient_words(words))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_no_internal_file_names_in_the_fixtures(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "clinical.md" not in text
    assert "shared/" not in text
    assert not re.search(r"\b\w+\.md\b", text)


@pytest.mark.parametrize(("slug", "weeks"), REVISED_GUARDRAIL_WEEKS.items())
def test_revised_guardrail_weeks_match_the_clinical_review(
    loaded: None, slug: str, weeks: tuple[int, int]
) -> None:
    exercise = Exercise.objects.get(slug=slug)
    assert (exercise.earliest_week_operative, exercise.earliest_week_non_operative) == weeks
    assert exercise.earliest_week_reason.strip()
    assert exercise.earliest_week_source.strip()


def test_cardio_is_dosed_in_minutes_never_a_long_hold(loaded: None) -> None:
    for exercise in Exercise.objects.filter(category=Exercise.Category.CARDIO):
        assert exercise.default_duration_minutes, exercise.slug
        assert exercise.default_hold_seconds is None, exercise.slug
    for item in ProtocolItem.objects.select_related("exercise"):
        if item.exercise.category == Exercise.Category.CARDIO:
            assert item.duration_minutes, item
            assert item.hold_seconds is None, item
            assert "minute" in item.dose_text()
        assert item.hold_seconds is None or item.hold_seconds <= 60, item


def test_one_leg_cycling_comes_first_and_uses_the_other_leg(loaded: None) -> None:
    for slug in PROTOCOLS:
        items = ProtocolItem.objects.filter(
            phase__protocol__slug=slug, exercise__slug="cycling-uninjured-leg-only"
        ).select_related("phase")
        assert items, slug
        assert min(item.phase.start_week for item in items) == 2
        assert all(item.side == "uninjured" for item in items)


def test_no_bike_in_the_boot_where_the_boot_is_off(loaded: None) -> None:
    for item in ProtocolItem.objects.select_related("exercise", "phase"):
        name = item.exercise.name.lower()
        assert not ("bike" in name and "in the boot" in name), item
        if item.phase.start_week >= 12:  # out of the boot in both templates
            assert "in the boot" not in name, item
            assert "boot" not in item.note.lower(), item


def test_the_non_operative_ankle_exercise_stops_at_the_boots_angle(loaded: None) -> None:
    items = ProtocolItem.objects.filter(
        phase__protocol__slug="achilles-non-operative", phase__start_week__lt=9
    ).values_list("exercise__slug", flat=True)
    assert "ankle-active-motion-to-boot-angle" in items
    assert "ankle-active-motion-to-neutral" not in items
    exercise = Exercise.objects.get(slug="ankle-active-motion-to-boot-angle")
    assert "boot" in exercise.patient_text.name.lower()
    # Movement to neutral: from week 2 after surgery, from week 6 (a flat foot) without.
    to_neutral = Exercise.objects.get(slug="ankle-active-motion-to-neutral")
    assert (to_neutral.earliest_week_operative, to_neutral.earliest_week_non_operative) == (2, 6)
    assert "week 6" in to_neutral.earliest_week_reason
    assert "boot position" in to_neutral.earliest_week_source


def test_single_leg_work_comes_later_and_behind_a_criterion(loaded: None) -> None:
    for item in ProtocolItem.objects.filter(
        exercise__slug="heel-lowering-single-leg-eccentric"
    ).select_related("phase__protocol"):
        assert item.phase.start_week >= 12, item
        assert "3 sets of 15" in item.note, item
    # The late phases train what their exit criterion tests.
    for slug in PROTOCOLS:
        phases = ProtocolPhase.objects.filter(protocol__slug=slug)
        tested = [p for p in phases if "single-leg heel rises" in p.exit_criteria]
        assert tested, slug
        for phase in tested:
            assert phase.items.filter(exercise__slug="heel-raise-single-leg").exists(), phase


def test_running_and_hopping_progressions_have_criteria(loaded: None) -> None:
    for slug in PROTOCOLS:
        used = set(
            ProtocolItem.objects.filter(phase__protocol__slug=slug).values_list(
                "exercise__slug", flat=True
            )
        )
        assert {"walk-jog-intervals", "hops-two-legs", "hops-single-leg"} <= used, slug
    walk_jog = Exercise.objects.get(slug="walk-jog-intervals")
    assert "5 single-leg heel rises" in walk_jog.summary


def test_stretches_in_the_templates_are_if_tight_only(loaded: None) -> None:
    stretches = ProtocolItem.objects.filter(exercise__category=Exercise.Category.STRETCH)
    assert stretches
    for item in stretches:
        assert item.note.startswith("If tight, as your physiotherapist decides"), item


def test_a_heel_lift_after_the_boot_with_when_to_stop_it(loaded: None) -> None:
    for slug in PROTOCOLS:
        phase = ProtocolPhase.objects.get(
            protocol__slug=slug, items__exercise__slug="education-heel-lift"
        )
        assert "heel lift" in phase.wedges.lower()
        assert any("heel lift" in line and "stop" in line for line in phase.patient_text.care)


def test_education_items_are_shipped_with_sources_and_used(loaded: None) -> None:
    education = Exercise.objects.filter(category=Exercise.Category.EDUCATION)
    assert set(education.values_list("slug", flat=True)) == EDUCATION
    used = set(ProtocolItem.objects.values_list("exercise__slug", flat=True))
    for exercise in education:
        assert exercise.source.strip(), exercise.slug
        assert exercise.slug in used, exercise.slug


# --- Steps never contradict the dose (a review's finding) -----------------------------------

REPEAT = re.compile(r"\bRepeat (\d+) times\b")
SECONDS = re.compile(r"\b(?:for |about )(\d+)(?:[–-](\d+))? seconds\b")


def _contradictions() -> list[str]:
    call_command("loaddata", "library", "protocols", verbosity=0)
    found = []
    for item in ProtocolItem.objects.select_related("exercise", "phase__protocol"):
        where = f"{item.phase.protocol.slug} phase {item.phase.order}: {item.exercise.slug}"
        for step in item.exercise.patient_text.steps:
            if "to start" in step or "to begin with" in step:
                continue  # a starting point the dose may have moved on from
            for match in REPEAT.finditer(step):
                if item.reps is not None and int(match.group(1)) != item.reps:
                    found.append(f"{where} prescribes {item.reps} reps; step says {step!r}")
            for match in SECONDS.finditer(step):
                low, high = int(match.group(1)), int(match.group(2) or match.group(1))
                if item.hold_seconds is not None and not low <= item.hold_seconds <= high:
                    found.append(
                        f"{where} prescribes a {item.hold_seconds} s hold; step says {step!r}"
                    )
    return found


def test_shipped_steps_do_not_contradict_the_templates_doses() -> None:
    found = _contradictions()
    assert not found, "\n".join(found)


# A count or a hold time of the step's own: "about 30 seconds", "10–15 seconds", "Repeat 10
# times", "3 holds". Tempo ("taking about 3 seconds" to lower, "over about 3 seconds") is how to
# do one repetition.
NUMBER = r"\b\d+(?:\s*(?:–|-|to)\s*\d+)?"
OWN_DOSE = re.compile(NUMBER + r"\s*(?:seconds?|times|holds?|sets?|rounds?)\b")
TEMPO = re.compile(r"\b(?:taking|over) (?:about )?" + NUMBER + r" seconds\b")


def test_shipped_steps_name_no_dose_of_their_own(loaded: None) -> None:
    # The patient's card shows the steps under the dose their plan prescribes, which the
    # physiotherapist may set to anything: a step naming its own count or hold contradicts
    # some plan ("Stay there for about 30 seconds" under a 45 s hold), "to begin with" or not.
    found = [
        f"{exercise.slug}: {step!r}"
        for exercise in Exercise.objects.filter(clinic__isnull=True)
        for step in exercise.steps
        if OWN_DOSE.search(TEMPO.sub("", step))
    ]
    assert not found, "\n".join(found)


# A template's note to the patient is copied onto each prescription and shown under its dose:
# a time or a count of its own ("10–15 s", "about 10 minutes", "3 × 10") or a progression the
# patient makes alone ("Build towards 20 or more") contradicts the dose the plan prescribes.
NOTE_DOSE = re.compile(NUMBER + r"\s*(?:s|seconds?|minutes?)\b|\d+\s*×\s*\d+")
SELF_PROGRESSION = re.compile(r"\b(?:build (?:up|towards)|add (?:a few )?more)\b", re.IGNORECASE)


def test_shipped_template_notes_leave_the_dose_to_the_plan(loaded: None) -> None:
    found = []
    for item in ProtocolItem.objects.select_related("exercise", "phase__protocol"):
        note = TEMPO.sub("", item.note)
        own_progression = SELF_PROGRESSION.search(note) and "physiotherapist" not in note
        if NOTE_DOSE.search(note) or own_progression:
            found.append(
                f"{item.phase.protocol.slug} {item.phase.order} {item.exercise.slug}: {item.note!r}"
            )
    assert not found, "\n".join(found)


steps_migration = importlib.import_module("rehab.migrations.0018_steps_follow_the_dose")
notes_migration = importlib.import_module("rehab.migrations.0021_template_notes_name_no_dose")
more_steps_migration = importlib.import_module("rehab.migrations.0020_steps_name_no_dose")


def test_the_migration_gives_stock_steps_the_new_words_and_leaves_edited_ones() -> None:
    before, after = steps_migration.STEPS["seated-heel-raise"]
    stock = factories.ExerciseFactory.create(slug="seated-heel-raise", steps=before)
    edited_steps = ["Sit tall.", "Lift the heels 12 times."]
    edited = factories.ExerciseFactory.create(slug="quadriceps-sets", steps=edited_steps)
    steps_migration.forward(django_apps, None)
    stock.refresh_from_db()
    edited.refresh_from_db()
    assert stock.steps == after
    assert stock.instructions_updated_at is not None  # patients see "Instructions updated"
    assert (edited.steps, edited.instructions_updated_at) == (edited_steps, None)


def test_the_second_steps_migration_rewords_the_stock_steps_it_names() -> None:
    # 0020: the same rule as 0018 (``rehab.migrations._steps``), for eight more exercises.
    before, after = more_steps_migration.STEPS["towel-calf-stretch"]
    stock = factories.ExerciseFactory.create(slug="towel-calf-stretch", steps=before)
    more_steps_migration.forward(django_apps, None)
    stock.refresh_from_db()
    assert stock.steps == after
    assert "30 seconds" not in " ".join(after)
    assert stock.instructions_updated_at is not None


def test_the_notes_migration_rewords_shipped_template_rows_only(loaded: None) -> None:
    # 0021 changes a shipped template's note still as shipped; a plan's copy is the clinician's.
    (protocol, order, exercise), (before, after) = next(iter(notes_migration.NOTES.items()))
    item = ProtocolItem.objects.get(
        phase__protocol__slug=protocol, phase__order=order, exercise__slug=exercise
    )
    ProtocolItem.objects.filter(pk=item.pk).update(note=before)
    copied = factories.PrescriptionFactory.create(exercise=item.exercise, note=before)
    notes_migration.forward(django_apps, None)
    item.refresh_from_db()
    copied.refresh_from_db()
    assert (item.note, copied.note) == (after, before)


# --- Heel-raise volume from phase 4 to 5 (from review) ------------------------------------------

HEEL_RAISES = ("heel-raise-bilateral", "heel-raise-single-leg")


def _daily_heel_raises(slug: str, order: int) -> int:
    items = ProtocolItem.objects.filter(
        phase__protocol__slug=slug, phase__order=order, exercise__slug__in=HEEL_RAISES
    )
    return sum((i.sets or 1) * (i.reps or 0) * (i.times_per_day or 1) for i in items)


@pytest.mark.parametrize("slug", PROTOCOLS)
def test_heel_raise_volume_is_not_reduced_from_phase_4_to_5(loaded: None, slug: str) -> None:
    # clinical.md §2 and the phase's own goals: "heel-raise volume is not reduced from phase
    # 4". The non-operative phase 5 asked 3 x 15 once a day (+ 3 x 5 on one leg), 60 a day,
    # after 3 x 10 three times a day, 90.
    assert _daily_heel_raises(slug, 5) >= _daily_heel_raises(slug, 4)


volume_migration = importlib.import_module("rehab.migrations.0023_non_operative_heel_raise_volume")


def test_the_volume_migration_changes_the_shipped_row_still_as_shipped(loaded: None) -> None:
    item = ProtocolItem.objects.get(
        phase__protocol__slug="achilles-non-operative",
        phase__order=5,
        exercise__slug="heel-raise-bilateral",
    )
    ProtocolItem.objects.filter(pk=item.pk).update(times_per_day=1)
    copied = factories.PrescriptionFactory.create(exercise=item.exercise, times_per_day=1)
    volume_migration.forward(django_apps, None)
    item.refresh_from_db()
    copied.refresh_from_db()
    assert (item.times_per_day, copied.times_per_day) == (2, 1)


# --- Jogging and eccentric lowering after their criteria (from review) --------------------------


def test_walk_jog_starts_only_after_a_phase_testing_the_heel_rise_height(loaded: None) -> None:
    # clinical.md §2: walk-jog intervals "once 5 single-leg heel rises at about 90 % of the
    # other side's height are shown". The operative phase 5 prescribed them from its first day
    # while that test was its own exit criterion (the non-operative template jogs in phase 6).
    for slug in PROTOCOLS:
        for phase in ProtocolPhase.objects.filter(
            protocol__slug=slug, items__exercise__slug="walk-jog-intervals"
        ).distinct():
            assert ProtocolCriterion.objects.filter(
                phase__protocol__slug=slug,
                phase__order__lt=phase.order,
                kind=CriterionKind.MEASUREMENT,
                measure="heel_rise_height_lsi",
            ).exists(), f"{phase} (week {phase.start_week}) jogs before the criterion"


def test_operative_eccentric_lowering_starts_only_after_3x15_bilateral_raises(
    loaded: None,
) -> None:
    # clinical.md §2, guardrail table: single-leg eccentric lowering, operative "12, and only
    # after 3 × 15 pain-free bilateral raises". The operative phase 5 prescribed it together with
    # the first 3 × 15 bilateral raises, with no criterion on them. Now an earlier phase
    # prescribes 3 × 15 bilateral raises and has a criterion for them.
    protocol = Protocol.objects.get(slug="achilles-operative")
    first = (
        protocol.phases.filter(items__exercise__slug="heel-lowering-single-leg-eccentric")
        .order_by("order")
        .first()
    )
    assert first is not None
    gates = [
        criterion.phase
        for criterion in ProtocolCriterion.objects.filter(
            phase__protocol=protocol, phase__order__lt=first.order
        ).select_related("phase")
        if "15" in criterion.label and "heel raise" in criterion.label.lower()
    ]
    assert gates, f"nothing before {first} shows 3 × 15 bilateral heel raises"
    for phase in gates:
        assert phase.items.filter(exercise__slug="heel-raise-bilateral", sets=3, reps=15).exists()
        assert any("15" in line for line in phase.exit_criteria_list), phase


def test_operative_phase_5_trains_single_leg_strength_only(loaded: None) -> None:
    phase = ProtocolPhase.objects.get(protocol__slug="achilles-operative", order=5)
    assert phase.name == "Single-leg strength"
    used = set(phase.items.values_list("exercise__slug", flat=True))
    assert not used & {"walk-jog-intervals", "heel-lowering-single-leg-eccentric"}
    assert sorted(phase.items.values_list("order", flat=True)) == [1, 2, 3, 4]
    labels = [c.label for c in ProtocolCriterion.objects.filter(phase=phase)]
    assert not any("jog" in label.lower() for label in labels), labels
    assert phase.exit_criteria_list == labels


gates_migration = importlib.import_module("rehab.migrations.0025_shipped_gates_from_review")


def _operative_rows() -> dict[str, Any]:
    return {
        "phases": list(
            ProtocolPhase.objects.filter(protocol__slug="achilles-operative")
            .order_by("order")
            .values()
        ),
        "items": list(
            ProtocolItem.objects.filter(phase__protocol__slug="achilles-operative")
            .order_by("phase__order", "order")
            .values("phase__order", "order", "exercise__slug", "sets", "reps", "duration_minutes")
        ),
        "criteria": list(
            ProtocolCriterion.objects.filter(phase__protocol__slug="achilles-operative")
            .order_by("phase__order", "order")
            .values("phase__order", "order", "kind", "label", "threshold", "measure")
        ),
        "summary": Protocol.objects.get(slug="achilles-operative").summary,
    }


def _as_shipped_before() -> None:
    """The operative template's rows as the previous release shipped them."""
    protocol = Protocol.objects.get(slug="achilles-operative")
    Protocol.objects.filter(pk=protocol.pk).update(summary=gates_migration.SUMMARY[0])
    for (order, field), (before, _after) in gates_migration.PHASE_TEXT.items():
        ProtocolPhase.objects.filter(protocol=protocol, order=order).update(**{field: before})
    phase_5 = ProtocolPhase.objects.get(protocol=protocol, order=5)
    ProtocolItem.objects.filter(phase=phase_5, order=4).update(order=6)
    ProtocolItem.objects.filter(phase=phase_5, order=3).update(order=5)
    heel_lowering = Exercise.objects.get(slug="heel-lowering-single-leg-eccentric")
    walk_jog = Exercise.objects.get(slug="walk-jog-intervals")
    ProtocolItem.objects.create(
        phase=phase_5, order=3, exercise=heel_lowering, sets=3, reps=10, note="Flat floor only."
    )
    ProtocolItem.objects.create(
        phase=phase_5, order=4, exercise=walk_jog, sets=1, duration_minutes=20, days_per_week=3
    )
    for (slug, field), (before, _after) in gates_migration.PHASE_6_DOSES.items():
        ProtocolItem.objects.filter(
            phase__protocol=protocol, phase__order=6, exercise__slug=slug
        ).update(**{field: before})
    ProtocolCriterion.objects.filter(phase=phase_5, label=gates_migration.GATE).update(
        label=gates_migration.WALK_JOG_CRITERION
    )


def test_the_gates_migration_brings_the_operative_template_to_the_fixtures(loaded: None) -> None:
    shipped = _operative_rows()
    _as_shipped_before()
    assert _operative_rows() != shipped
    plan = factories.PlanFactory.create()
    copied_phase = factories.PlanPhaseFactory.create(
        plan=plan, order=5, name="Single-leg strength and first jogging", start_week=12, end_week=16
    )
    copied = factories.PrescriptionFactory.create(
        phase=copied_phase, exercise=Exercise.objects.get(slug="walk-jog-intervals")
    )
    gates_migration.forward(django_apps, None)
    assert _operative_rows() == shipped
    gates_migration.forward(django_apps, None)  # twice: nothing more changes
    assert _operative_rows() == shipped
    copied_phase.refresh_from_db()
    assert copied_phase.name == "Single-leg strength and first jogging"
    assert Prescription.objects.filter(pk=copied.pk, phase=copied_phase).exists()


def test_the_gates_migration_adds_the_gate_where_the_walk_jog_criterion_was_changed(
    loaded: None,
) -> None:
    _as_shipped_before()
    phase_5 = ProtocolPhase.objects.get(protocol__slug="achilles-operative", order=5)
    ProtocolCriterion.objects.filter(phase=phase_5, order=2).update(label="Our own words")
    gates_migration.forward(django_apps, None)
    labels = list(
        ProtocolCriterion.objects.filter(phase=phase_5)
        .order_by("order")
        .values_list("label", "kind")
    )
    assert labels[1:] == [("Our own words", "clinician"), (gates_migration.GATE, "clinician")]


def _to_neutral_as_shipped_before() -> Exercise:
    exercise = Exercise.objects.get(slug="ankle-active-motion-to-neutral")
    Exercise.objects.filter(pk=exercise.pk).update(
        earliest_week_non_operative=gates_migration.TO_NEUTRAL_WEEK_NON_OPERATIVE[0],
        **{field: before for field, (before, _after) in gates_migration.TO_NEUTRAL_TEXT.items()},
    )
    return exercise


def _guardrail(exercise: Exercise) -> tuple[int, int, str, str]:
    exercise.refresh_from_db()
    return (
        exercise.earliest_week_operative,
        exercise.earliest_week_non_operative,
        exercise.earliest_week_reason,
        exercise.earliest_week_source,
    )


def test_the_gates_migration_moves_ankle_movement_to_neutral_to_week_6_without_surgery(
    loaded: None,
) -> None:
    exercise = Exercise.objects.get(slug="ankle-active-motion-to-neutral")
    shipped = _guardrail(exercise)
    _to_neutral_as_shipped_before()
    copied = factories.PrescriptionFactory.create(exercise=exercise, guardrail_reason="")
    gates_migration.forward(django_apps, None)
    assert _guardrail(exercise) == shipped
    assert shipped[1] == 6
    copied.refresh_from_db()
    assert (copied.exercise_id, copied.guardrail_reason) == (exercise.pk, "")


def test_the_gates_migration_leaves_the_week_while_a_published_template_places_it_earlier(
    loaded: None,
) -> None:
    # As the library's own edit refuses it (code early_in_templates): the template moves first.
    exercise = _to_neutral_as_shipped_before()
    before = _guardrail(exercise)
    clinic_template = factories.ProtocolFactory.create(
        clinic=factories.ClinicFactory.create(), pathway="non_operative", is_published=True
    )
    phase = ProtocolPhase.objects.create(
        protocol=clinic_template, order=1, name="Boot", start_week=2, end_week=6
    )
    ProtocolItem.objects.create(phase=phase, exercise=exercise, order=1, sets=2, reps=10)
    gates_migration.forward(django_apps, None)
    assert _guardrail(exercise) == before
    phase.start_week = 6
    phase.end_week = 9
    phase.save()
    gates_migration.forward(django_apps, None)
    assert _guardrail(exercise)[1] == 6
