"""Typed readers for settings from the environment.

Each raises ``ImproperlyConfigured`` naming the variable when its value cannot be used, so a
misconfigured deployment stops at start-up with a message that says what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    source = os.environ if environ is None else environ
    return source.get(name, default)


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    source = os.environ if environ is None else environ
    if name not in source:
        return default
    value = source[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    msg = f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {source[name]!r}."
    raise ImproperlyConfigured(msg)


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    source = os.environ if environ is None else environ
    if name not in source or source[name].strip() == "":
        return default
    try:
        value = int(source[name])
    except ValueError:
        msg = f"{name} must be a whole number, not {source[name]!r}."
        raise ImproperlyConfigured(msg) from None
    if minimum is not None and value < minimum:
        msg = f"{name} must be at least {minimum}, not {value}."
        raise ImproperlyConfigured(msg)
    return value


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    source = os.environ if environ is None else environ
    if name not in source:
        return default
    return [item.strip() for item in source[name].split(",") if item.strip()]


def env_database(
    name: str, default_sqlite_path: str, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The database from ``DATABASE_URL``, else a SQLite file.

    Only PostgreSQL and SQLite are supported; anything else, or an unparsable URL, is refused.
    """
    source = os.environ if environ is None else environ
    url = source.get(name)
    if url is None:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
            # The tests' database in a file too, not in memory: the browser tests' live server
            # answers two tabs at once, and an in-memory database shared between threads refuses
            # a second writer at once ("database table is locked") where a file waits its turn.
            "TEST": {"NAME": f"{default_sqlite_path}-test"},
        }
    url = url.strip()
    if not url:
        msg = f"{name} is set but empty; unset it for SQLite or give a postgres:// URL."
        raise ImproperlyConfigured(msg)
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except (ValueError, KeyError, TypeError) as exc:
        msg = (
            f"{name} is not a valid database URL ({exc}); expected postgres://user@host:port/name."
        )
        raise ImproperlyConfigured(msg) from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        msg = f"{name} must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…), not {url.split(':', 1)[0]!r}."
        raise ImproperlyConfigured(msg)
    if not config.get("NAME"):
        msg = f"{name} names no database; expected postgres://user@host:port/name."
        raise ImproperlyConfigured(msg)
    return config


def env_caches(name: str, *, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Django's ``CACHES``: ``default`` from a Redis URL (Django's own Redis backend, shared by
    every server process), else each process's memory; ``template_fragments`` (the
    ``{% cache %}`` tag's) always each process's memory, as its keys never go stale.

    Only ``redis://``, ``rediss://`` and ``unix://`` URLs are accepted.
    """
    source = os.environ if environ is None else environ
    url = source.get(name, "").strip()
    fragments = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
    if not url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "template_fragments": fragments,
        }
    if url.split("://", 1)[0] not in {"redis", "rediss", "unix"} or "://" not in url:
        msg = f"{name} must be a Redis URL (redis://host:6379/0), not {url.split(':', 1)[0]!r}."
        raise ImproperlyConfigured(msg)
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "rehab",
            # A Redis that does not answer costs at most a second, then its users fail open.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "template_fragments": fragments,
    }


def env_media_storage(*, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``default`` storage of ``STORAGES``: uploaded photos and videos.

    ``MEDIA_STORAGE=filesystem`` (the default): files under ``MEDIA_ROOT``.
    ``MEDIA_STORAGE=s3``: an S3-compatible bucket through django-storages, private (no public
    ACL; the app streams each file after its access check): ``MEDIA_S3_BUCKET`` (required),
    ``MEDIA_S3_ENDPOINT_URL`` (for MinIO, Ceph, a cloud other than AWS), ``MEDIA_S3_REGION``,
    ``MEDIA_S3_ACCESS_KEY_ID`` / ``MEDIA_S3_SECRET_ACCESS_KEY`` (else boto3's own chain: an
    instance role, ``~/.aws``), ``MEDIA_S3_PREFIX`` (folder in the bucket, default ``media``).
    """
    source = os.environ if environ is None else environ
    kind = source.get("MEDIA_STORAGE", "filesystem").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        msg = f"MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}."
        raise ImproperlyConfigured(msg)
    bucket = source.get("MEDIA_S3_BUCKET", "").strip()
    if not bucket:
        msg = "MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET (the bucket's name)."
        raise ImproperlyConfigured(msg)
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": source.get("MEDIA_S3_PREFIX", "media").strip().strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    for option, variable in (
        ("endpoint_url", "MEDIA_S3_ENDPOINT_URL"),
        ("region_name", "MEDIA_S3_REGION"),
        ("access_key", "MEDIA_S3_ACCESS_KEY_ID"),
        ("secret_key", "MEDIA_S3_SECRET_ACCESS_KEY"),
    ):
        value = source.get(variable, "").strip()
        if value:
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Addresses that mean "every interface" to a server, and none to a browser.
_ANY_INTERFACE = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 - compared with, never bound


def development_site_url(environ: Mapping[str, str] | None = None) -> str:
    """Where ``make run`` serves: ``http://HOST:PORT`` (127.0.0.1:8000 by default), a server's
    "every interface" read as ``localhost``."""
    source = os.environ if environ is None else environ
    host = source.get("HOST", "127.0.0.1").strip()
    if host in _ANY_INTERFACE:
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    port = env_int("PORT", 8000, minimum=1, environ=source)
    return f"http://{host}:{port}"
