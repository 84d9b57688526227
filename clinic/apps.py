from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.db.models.signals import post_init, post_save
from django.utils.translation import gettext_lazy as _

from core.text import register_sqlite_unaccent


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = _("Clinics and people")

    def ready(self) -> None:
        from clinic import checks  # noqa: F401, PLC0415 (registers the deploy checks)
        from clinic.accounts import signals  # noqa: PLC0415 (apps are ready only now)
        from clinic.models import User  # noqa: PLC0415

        user_logged_in.connect(signals.on_user_logged_in, dispatch_uid="clinic.session_clock")
        # Searches ignore accents: SQLite gets PostgreSQL's UNACCENT as a Python function.
        connection_created.connect(register_sqlite_unaccent, dispatch_uid="clinic.unaccent")
        post_init.connect(signals.remember_credentials, sender=User, dispatch_uid="clinic.creds")
        post_save.connect(
            signals.end_tokens_on_credential_change, sender=User, dispatch_uid="clinic.tokens"
        )
