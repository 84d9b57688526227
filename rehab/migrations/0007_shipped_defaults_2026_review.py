"""The shipped library and protocol templates after the 2026 clinical review, and the patient's
voice for what existed before it.

- Shipped (shared) exercises and the two shipped templates are brought to the state of the
  frozen fixtures beside this file (``data/0008_*.json``, the ``fixtures/`` of this release):
  plain-words patient text, corrected guardrail weeks, doses in minutes, new exercises and
  education items, the templates' new phases. A database without the shipped library (a new
  one: ``loaddata library protocols`` installs it) is left alone.
- Patients' plans are never changed: no plan, phase week, dose, note or prescription is
  touched. Only the new patient-text fields of plan phases that are still empty are filled:
  a phase copied unchanged from a shipped template gets that phase's plain words; any other
  phase (and a clinic's own exercise or template phase) gets the text its patients read until
  now, so nobody loses a care instruction. Clinicians can rewrite it in plain words.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_PROTOCOLS = ("achilles-operative", "achilles-non-operative")
# A shipped phase as it was before this release (its order) -> the phase now carrying its words.
PHASE_SUCCESSOR = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6}
CLINICIAN_PHASE_TEXT = ("name", "goals", "precautions", "weight_bearing", "boot", "wedges")
PATIENT_PHASE_TEXT = ("patient_name", "patient_summary", "patient_care")
PATIENT_EXERCISE_TEXT = ("patient_name", "patient_summary", "steps", "cues", "patient_safety_notes")
CARE_LABELS = (("weight_bearing", "Weight bearing"), ("boot", "Boot"), ("wedges", "Heel wedges"))


def _load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _phase_text_as_patients_read_it(phase):
    """What the patient pages showed of a phase before this release, as patient text."""
    care = [f"{label}: {getattr(phase, name)}" for name, label in CARE_LABELS if getattr(phase, name)]
    care += [line.strip() for line in phase.precautions.splitlines() if line.strip()]
    return {"patient_summary": phase.goals, "patient_care": "\n".join(care)}


def _fill_phase(phase, values):
    changed = [name for name in PATIENT_PHASE_TEXT if name in values and not getattr(phase, name)]
    for name in changed:
        setattr(phase, name, values[name])
    if changed:
        phase.save(update_fields=changed)


def forward(apps, schema_editor):
    Exercise = apps.get_model("rehab", "Exercise")
    Equipment = apps.get_model("rehab", "Equipment")
    Protocol = apps.get_model("rehab", "Protocol")
    ProtocolPhase = apps.get_model("rehab", "ProtocolPhase")
    ProtocolItem = apps.get_model("rehab", "ProtocolItem")
    PlanPhase = apps.get_model("rehab", "PlanPhase")

    library = [row for row in _load("0008_library.json") if row["model"] == "rehab.exercise"]
    protocols = _load("0008_protocols.json")
    shipped = Exercise.objects.filter(
        clinic__isnull=True, slug__in=[row["fields"]["slug"] for row in library]
    )
    has_shipped_library = shipped.exists()

    # 1. Plain words for phases copied unchanged from a shipped template (matched on the
    #    clinician's text of the shipped phase as it is before this release).
    new_phases = {
        (row["fields"]["protocol"][0], row["fields"]["order"]): row["fields"]
        for row in protocols
        if row["model"] == "rehab.protocolphase"
    }
    plain_words = {}
    for phase in ProtocolPhase.objects.filter(
        protocol__slug__in=SHIPPED_PROTOCOLS, protocol__clinic__isnull=True
    ).select_related("protocol"):
        successor = new_phases.get((phase.protocol.slug, PHASE_SUCCESSOR.get(phase.order)))
        if successor is not None:
            key = tuple(getattr(phase, name) for name in CLINICIAN_PHASE_TEXT)
            plain_words[key] = {name: successor[name] for name in PATIENT_PHASE_TEXT}
    for model in (PlanPhase, ProtocolPhase):
        for phase in model.objects.filter(patient_name="", patient_summary="", patient_care=""):
            key = tuple(getattr(phase, name) for name in CLINICIAN_PHASE_TEXT)
            _fill_phase(phase, plain_words.get(key) or _phase_text_as_patients_read_it(phase))

    # 2. A clinic's own exercises: their patients read the summary and safety notes until now.
    for exercise in Exercise.objects.filter(clinic__isnull=False, patient_summary=""):
        exercise.patient_summary = exercise.summary
        if not exercise.patient_safety_notes:
            exercise.patient_safety_notes = list(exercise.safety_notes)
        exercise.save(update_fields=["patient_summary", "patient_safety_notes"])

    if not has_shipped_library:
        return  # a new database: ``loaddata library protocols`` installs this release's

    # 3. The shipped library, as in this release's fixtures.
    now = timezone.now()
    rows = {row["fields"]["slug"]: dict(row["fields"]) for row in library}
    for slug, fields in rows.items():
        equipment = fields.pop("equipment")
        fields.pop("progresses_to")
        fields.pop("created_at", None)
        fields.pop("updated_at", None)
        exercise = Exercise.objects.filter(clinic__isnull=True, slug=slug).first()
        if exercise is None:
            exercise = Exercise(**fields)
        else:
            if any(getattr(exercise, name) != fields[name] for name in PATIENT_EXERCISE_TEXT):
                exercise.instructions_updated_at = now
            for name, value in fields.items():
                setattr(exercise, name, value)
        exercise.save()
        exercise.equipment.set(Equipment.objects.filter(slug__in=[key[0] for key in equipment]))
    for row in library:
        target = row["fields"]["progresses_to"]
        Exercise.objects.filter(clinic__isnull=True, slug=row["fields"]["slug"]).update(
            progresses_to=Exercise.objects.get(slug=target[0]) if target else None
        )

    # 4. The shipped templates: their phases and items replaced by this release's. Plans keep
    #    their own copies (nothing of a plan points at a template's phase or item).
    exercises = {e.slug: e for e in Exercise.objects.filter(clinic__isnull=True)}
    for row in protocols:
        if row["model"] != "rehab.protocol":
            continue
        fields = dict(row["fields"])
        protocol = Protocol.objects.filter(slug=fields["slug"], clinic__isnull=True).first()
        if protocol is None:
            continue
        for name in ("name", "summary", "source", "version"):
            setattr(protocol, name, fields[name])
        protocol.save()
        ProtocolPhase.objects.filter(protocol=protocol).delete()
        phases = {}
        for phase_row in protocols:
            f = dict(phase_row["fields"])
            if phase_row["model"] == "rehab.protocolphase" and f["protocol"][0] == protocol.slug:
                f.pop("protocol")
                phases[f["order"]] = ProtocolPhase.objects.create(protocol=protocol, **f)
        for item_row in protocols:
            f = dict(item_row["fields"])
            if item_row["model"] == "rehab.protocolitem" and f["phase"][0] == protocol.slug:
                phase = phases[f.pop("phase")[1]]
                exercise = exercises[f.pop("exercise")[0]]
                ProtocolItem.objects.create(phase=phase, exercise=exercise, **f)


class Migration(migrations.Migration):
    dependencies = [("rehab", "0006_two_voices_duration_atrs_once_uninjured")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
