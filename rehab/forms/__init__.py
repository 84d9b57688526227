"""The rehab forms by sub-domain: library, builder (plans), logbook (what patients log)."""
