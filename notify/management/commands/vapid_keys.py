"""Make a VAPID key pair for web push: printed as environment lines, or written once to a
file (``make run`` keeps development keys in ``.vapid-dev.env``, which git ignores)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandParser
from py_vapid import Vapid02, b64urlencode


def new_key_pair() -> tuple[str, str]:
    """(public, private), base64url: the uncompressed P-256 point and the raw 32-byte key."""
    vapid = Vapid02()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(public), b64urlencode(private)


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push, or write it to --env-file if missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--env-file", type=Path, help="Write the keys here unless the file exists."
        )

    def handle(self, *args: Any, env_file: Path | None = None, **options: Any) -> None:
        if env_file is not None and env_file.exists():
            self.stdout.write(f"{env_file} exists: keeping its keys.")
            return
        public, private = new_key_pair()
        lines = f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\n"
        if env_file is None:
            self.stdout.write(lines, ending="")
            return
        descriptor = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(
                "# Development VAPID keys for web push (make run). Never for production.\n"
            )
            handle.write(lines)
        self.stdout.write(f"Wrote development VAPID keys to {env_file}.")
