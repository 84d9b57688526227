"""The seeds (``seed_demo``, ``seed_scale``) create accounts with known passwords: they run only
with ``DEBUG`` on, or when told ``--force`` (never on a server holding real patients)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser


def add_force_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="Run even with DEBUG off (never on a server holding real patients).",
    )


def refuse_without_debug(command: str, options: dict[str, Any]) -> None:
    """Stop ``command`` unless ``DEBUG`` is on or it was given ``--force``."""
    if not settings.DEBUG and not options["force"]:
        msg = f"{command} creates known passwords; run it with DEBUG=1 (or --force)."
        raise CommandError(msg)
