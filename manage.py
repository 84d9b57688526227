#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's tool: without DEBUG in the environment it runs with
    # development settings (SQLite, console email, no SECRET_KEY needed). The web server
    # (config.wsgi, gunicorn) does not do this: there DEBUG is off unless set, and SECRET_KEY
    # is required. The Dockerfile sets DEBUG=0 for everything in the container.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
