"""The static files' storage in production: WhiteNoise's compressed files with hashed names."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names for the ES modules' imports too (Django's documented switch): a module
    imports exactly the files the pages' ``{% static %}`` names and the service worker's app
    shell hold, so a new release never mixes an old module with a new one."""

    support_js_module_import_aggregation = True
