"""Settings errors stop start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from clinic.models import User
from config.env import development_site_url, env_bool, env_database, env_int, env_list
from tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py check`` in a fresh interpreter with exactly these settings variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _setting(expression: str, env: dict[str, str]) -> str:
    """``expression`` (of ``settings``) printed by a fresh interpreter whose whole environment
    is ``env``."""
    result = subprocess.run(  # noqa: S603 (the expression is one of these tests')
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_debug_off_without_secret_key_stops_with_its_name() -> None:
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_malformed_database_url_stops_with_its_name() -> None:
    result = run_check(DEBUG="1", DATABASE_URL="not a url")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_valid_development_settings_pass_check() -> None:
    result = run_check(DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("mysql://root@localhost/rehab", "PostgreSQL"),
        ("postgres://postgres@127.0.0.1:5432/", "names no database"),
        ("nonsense", "DATABASE_URL"),
    ],
)
def test_env_database_refuses_bad_urls(url: str, fragment: str) -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_database("DATABASE_URL", "x.sqlite3", environ={"DATABASE_URL": url})
    assert "DATABASE_URL" in str(excinfo.value)
    assert fragment in str(excinfo.value)


def test_env_database_defaults_to_sqlite_and_parses_postgres() -> None:
    assert env_database("DATABASE_URL", "x.sqlite3", environ={})["ENGINE"].endswith("sqlite3")
    pg = env_database(
        "DATABASE_URL", "/x", environ={"DATABASE_URL": "postgres://u:p@db.example:5433/rehab"}
    )
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["HOST"], pg["PORT"], pg["USER"]) == ("rehab", "db.example", 5433, "u")


def test_sqlites_test_database_is_a_file_beside_it() -> None:
    """In memory, the database the browser tests' live server shares between its threads
    refused a second writer at once ("database table is locked": a 503, the phone's outbox
    waiting 30 s to try again), so two tabs sending at once failed the test now and then; a
    file waits its turn."""
    sqlite = env_database("DATABASE_URL", "/srv/x.sqlite3", environ={})
    assert sqlite["TEST"]["NAME"] == "/srv/x.sqlite3-test"


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_env_bool_refuses_non_booleans(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", default=False, environ={"DEBUG": value})


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("off", False), ("TRUE", True)])
def test_env_bool_reads_booleans(value: str, *, expected: bool) -> None:
    assert env_bool("DEBUG", default=not expected, environ={"DEBUG": value}) is expected


def test_env_int_refuses_non_numbers_and_too_small() -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": "twenty"})
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25, minimum=1, environ={"EMAIL_PORT": "0"})
    assert env_int("EMAIL_PORT", 25, environ={}) == 25


def test_env_list_splits_on_commas() -> None:
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.org, b.org,,"}) == [
        "a.org",
        "b.org",
    ]


# --- The cache and sessions ----------------------------------------------------------------


def test_no_redis_url_means_a_cache_per_process() -> None:
    from config.env import env_caches  # noqa: PLC0415

    assert env_caches("REDIS_URL", environ={})["default"]["BACKEND"].endswith("LocMemCache")
    assert env_caches("REDIS_URL", environ={"REDIS_URL": " "})["default"]["BACKEND"].endswith(
        "LocMemCache"
    )


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://cache.example:6380/1"])
def test_a_redis_url_selects_the_redis_cache(url: str) -> None:
    from config.env import env_caches  # noqa: PLC0415

    cache = env_caches("REDIS_URL", environ={"REDIS_URL": url})["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"  # Django's own
    assert cache["LOCATION"] == url


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "127.0.0.1:6379", "redis"])
def test_a_url_that_is_not_redis_is_refused_with_its_name(url: str) -> None:
    from config.env import env_caches  # noqa: PLC0415

    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env_caches("REDIS_URL", environ={"REDIS_URL": url})


def test_a_bad_redis_url_stops_start_up_with_its_name() -> None:
    result = run_check(DEBUG="1", REDIS_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_sessions_live_in_the_database_with_or_without_redis() -> None:
    """Redis down must not sign anyone out, nor bring back a session ended meanwhile."""
    from django.conf import settings  # noqa: PLC0415

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    engine = _setting(
        "settings.SESSION_ENGINE",
        {
            **os.environ,
            "DEBUG": "1",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )
    assert engine == "django.contrib.sessions.backends.db"


def test_manage_py_runs_with_development_settings_when_debug_is_unset() -> None:
    result = run_check()  # no DEBUG, no SECRET_KEY, no DATABASE_URL
    assert result.returncode == 0, result.stderr


def test_the_web_server_needs_a_secret_key_when_debug_is_unset() -> None:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _database_options(**env: str) -> str:
    """The default database's OPTIONS as the settings build them from ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    return _setting(
        "sorted(settings.DATABASES['default'].get('OPTIONS', {}).items())",
        {**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
    )


def test_postgresql_binds_parameters_on_the_server_unless_turned_off() -> None:
    url = "postgres://u@db.example:5432/rehab"
    on = _database_options(DATABASE_URL=url)
    assert "('server_side_binding', True)" in on
    assert "('prepare_threshold', 5)" in on
    off = _database_options(DATABASE_URL=url, DATABASE_PREPARED="0")
    assert "server_side_binding" not in off
    assert "prepare_threshold" not in off
    assert "server_side_binding" not in _database_options()  # SQLite has no such option


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql"
    or not connection.settings_dict["OPTIONS"].get("server_side_binding"),
    reason="PostgreSQL with DATABASE_PREPARED on (the default) only",
)
def test_a_query_run_often_on_one_connection_is_prepared_once() -> None:
    """With server-side binding (``DATABASE_PREPARED``, on by default), psycopg prepares a
    query after 5 runs: PostgreSQL then keeps it (and, once it judges a generic plan as good,
    its plan) instead of parsing and planning it every time."""
    patient = PatientFactory()

    def prepared() -> int:
        # This query's shape is this test's own: nothing else selects exactly these columns.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['SELECT "clinic_user"."last_login" AS "last_login", "clinic_user"."email" AS %'],
            )
            (count,) = cursor.fetchone()
        return int(count)

    before = prepared()
    for _ in range(7):
        row = User.objects.filter(pk=patient.user_id).values_list("last_login", "email", "id")
        assert row.get()[2] == patient.user_id
    assert prepared() == before + 1


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://localhost:8080"),  # noqa: S104
        ({"HOST": "::1"}, "http://[::1]:8000"),
        ({"HOST": "rehab.local"}, "http://rehab.local:8000"),
    ],
)
def test_the_development_site_url_is_where_make_run_serves(
    environ: dict[str, str], url: str
) -> None:
    assert development_site_url(environ) == url


def _site_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "SITE_URL"}}
    return _setting(
        "settings.SITE_URL", {**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    )


def test_the_site_url_follows_host_and_port_in_development_and_is_set_in_production() -> None:
    assert _site_url(DEBUG="1", PORT="8123") == "http://127.0.0.1:8123"
    assert _site_url(DEBUG="1", PORT="8123", SITE_URL="https://x.example") == "https://x.example"
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50}
    assert _site_url(**production) == ""  # no guess: check --deploy asks for it
    assert _site_url(**production, SITE_URL="https://rehab.example.org") == (
        "https://rehab.example.org"
    )
