"""The project's settings, for the benchmark server: the same stack plus a baseline page.

``bench/run.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings`` and production
values in the environment (``DEBUG=0``, a ``SECRET_KEY``, ``ALLOWED_HOSTS``, the pool).
"""

from __future__ import annotations

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# collectstatic writes here (a temporary directory), so a bench run leaves the tree clean.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])

# bench.pages runs in-process and serves no static file: the plain storage spares it a
# collectstatic ({% static %} costs the same as with the manifest, to within microseconds).
if os.environ.get("BENCH_PLAIN_STATIC") == "1":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
