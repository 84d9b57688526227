"""The rehab forms by sub-domain: library, protocols (templates), builder (plans), criteria,
logbook (what patients log), dashboard (the patient list's filters), risk (risk modifiers and a
clinic's offsets)."""
