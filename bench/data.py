"""The bench's data and environment: ``seed_scale``'s accounts, the bench database, the
production-like settings every bench process runs with, and the few plain SQL reads of stable
tables the bench makes (``clinic_user``, ``clinic_patient``, ``rehab_exerciselog``,
``rehab_checkin``, ``clinic_message``, ``rehab_alert``).

The app is reached only through ``manage.py`` commands, HTTP and those tables, so this file
imports nothing of the app: the bench runs unchanged against older and newer code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rehab_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

# seed_scale's accounts (printed by the command; tests/bench/test_data.py signs in as each).
PASSWORD = "scale-rehab-2026"  # noqa: S105 (seed_scale's published bench login)
BENCH_PATIENT = "patient@scale.example"  # the first clinic's patient at week 9, diligent
THERAPISTS = ("clinician@scale.example", "clinician-001-3@scale.example")  # first clinic
CLINIC_ADMIN = "clinician-001-2@scale.example"  # the first clinic's admin (two-factor)
FIRST_CLINIC = "scale-001"


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


def machine_load() -> str:
    """``uptime``'s load averages (1, 5, 15 min) and the number of cores."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"The bench database {name!r} must have 'bench' in its name: its scale data is "
            "wiped and replaced (set BENCH_DATABASE_URL)."
        )
    return url


def redis_url() -> str:
    """Redis for the shared cache, as in production (``BENCH_REDIS_URL``; empty: none)."""
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL).strip()


def environment(static_root: str, *, workers: int = 1) -> dict[str, str]:
    """Production-like settings for gunicorn and the management commands."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_POOL": "1",
            "DATABASE_POOL_MIN": "2",
            "DATABASE_POOL_MAX": str(max(workers, 2)),
            "BENCH_STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "console",
            "REDIS_URL": redis_url(),
        }
    )
    return env


def ensure_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        say(f"creating database {name}")
        conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    if not url:
        return
    import redis  # noqa: PLC0415 (a dependency of the project's settings)

    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def row_ids(env: dict[str, str], keys: Sequence[str]) -> list[str]:
    """The row ids of ``keys`` as the pages write them in their addresses (opaque ids since
    core.ids; digits in older code), for a count by row id: decoded by the app itself, through
    ``manage.py shell``. A key that is no row's address becomes ``-1`` (it matches no row)."""
    opaque = sorted({key for key in keys if not key.isdigit()})
    if not opaque:
        return list(keys)
    # The keys are [0-9A-Za-z] (phone.OPAQUE_ID): a JSON literal of them is safe to embed.
    code = (
        "import json; from core.ids import from_opaque; "
        f"print(json.dumps({{k: from_opaque(k) for k in {json.dumps(opaque)}}}))"
    )
    decoded = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    return [key if key.isdigit() else str(decoded.get(key) or -1) for key in keys]


def seed(env: dict[str, str], *, patients: int, days: int, clinics: int) -> str:
    """Fresh scale data, every patient's day not yet begun; then ``VACUUM ANALYZE``."""
    output = manage(
        env,
        "seed_scale",
        "--force",
        "--wipe",
        "--no-today",
        f"--clinics={clinics}",
        f"--patients={patients}",
        f"--days={days}",
        f"--focus-clinician-patients={min(300, patients - clinics + 1)}",
    )
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return output


def count_patients(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM clinic_patient p JOIN clinic_user u ON u.id = p.user_id "
            "WHERE u.email LIKE %s",
            ["%@scale.example"],
        ).fetchone()
    return int(row[0]) if row else 0


def patient_pool(url: str, size: int) -> list[str]:
    """The e-mail addresses of ``size`` active patients with a sign-in, the first clinic's
    first (its clinicians are the ones the mix signs in as)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT u.email FROM clinic_patient p JOIN clinic_user u ON u.id = p.user_id "
            "JOIN clinic_clinic c ON c.id = p.clinic_id "
            "WHERE p.status = 'active' AND u.email LIKE %s AND u.is_active "
            "ORDER BY c.slug, p.id LIMIT %s",
            ["%@scale.example", size],
        ).fetchall()
    return [str(r[0]) for r in rows]


def count_by(
    url: str, table: str, column: str, keys: Sequence[str], *, sql_type: str, where: str = ""
) -> dict[str, int]:
    """Rows of ``table`` per value of ``column`` among ``keys`` (a key with no row is absent),
    with ``where`` an extra condition. Names, types and conditions come from this package,
    never from input."""
    if not keys:
        return {}
    query = (
        f"SELECT {column}::text, count(*) FROM {table} "  # noqa: S608 (constants only)
        f"WHERE {column} = ANY(%s::{sql_type}[]) {f'AND {where}' if where else ''} "
        f"GROUP BY {column}"
    )
    with psycopg.connect(url) as conn:
        return {str(k): int(n) for k, n in conn.execute(query, [list(keys)]).fetchall()}


def stored_feedback(url: str, uuids: Sequence[str]) -> dict[str, tuple[Any, Any]]:
    """(pain, effort) stored for each tick."""
    if not uuids:
        return {}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT client_uuid::text, pain, effort FROM rehab_exerciselog "
            "WHERE client_uuid = ANY(%s::uuid[])",
            [list(uuids)],
        ).fetchall()
    return {str(u): (pain, effort) for u, pain, effort in rows}
