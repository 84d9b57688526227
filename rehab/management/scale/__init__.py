"""The seeding behind ``manage.py seed_scale``: a large, realistic data set, fast, for the
benchmarks. The command parses its arguments and calls these; each module has one job:

- ``accounts``: what marks generated data, and the logins the bench signs in with;
- ``population``: who the generated people are and how they keep to their plan (names, time
  zones, what they write, adherence profiles), and the seeded draws;
- ``writer``: writing rows fast (ids handed out here; ``COPY`` or ``executemany`` in batches);
- ``tables``: the tables a run writes, each with its columns;
- ``context``: what every part of a run shares (the moment, the tables, local clocks);
- ``protocols``: the protocol templates, read once, as plans copy them;
- ``people``: clinics, clinicians, patients and their accounts;
- ``plans``: each patient's plan, copied from their pathway's protocol, and its phase history;
- ``logs``: the days of exercise logs and check-ins, and the alerts they raise;
- ``outcomes``: ATRS answers and measurements;
- ``messages``: questions to the clinic and its replies;
- ``generator``: a whole run, clinic by clinic and patient by patient;
- ``wipe``: removing an earlier run's data.

``writer`` and ``wipe`` use ``connection.cursor()`` (Django's documented way to run SQL it does
not write: ``COPY`` streams millions of rows, and ``bulk_create`` would overwrite the
``auto_now_add`` times the history needs). Only the command imports this package, never a
request: an import-linter contract in pyproject.toml says so.
"""
