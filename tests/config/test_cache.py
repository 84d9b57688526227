"""config/cache.py: Django's Redis cache, one Redis client per server for the process."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from config.cache import RedisCache

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def backend() -> Any:
    import redis  # noqa: PLC0415

    connection = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        connection.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_TEST_URL}")
    yield RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": "test-cache"})
    connection.flushdb()


def test_it_is_djangos_redis_cache(backend: RedisCache) -> None:
    assert isinstance(backend, DjangoRedisCache)


def test_every_call_uses_the_same_client(backend: RedisCache) -> None:
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client("some-key") is client


def test_djangos_own_client_makes_a_new_one_each_call() -> None:
    """What this module is for: if Django keeps its clients one day, it can go."""
    django_backend = DjangoRedisCache(REDIS_TEST_URL, {})
    assert django_backend._cache.get_client() is not django_backend._cache.get_client()


def test_the_cache_api_works_through_the_kept_client(backend: RedisCache) -> None:
    backend.set("a", {"value": 1}, 30)
    assert backend.get("a") == {"value": 1}
    assert backend.add("a", "other", 30) is False
    backend.set_many({"b": 2, "c": 3}, 30)
    assert backend.get_many(["a", "b", "c", "missing"]) == {"a": {"value": 1}, "b": 2, "c": 3}
    assert backend.incr("b") == 3
    backend.delete("a")
    assert backend.get("a") is None


def test_threads_share_the_client_safely(backend: RedisCache) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                backend.set(f"t{n}-{i}", i, 30)
                assert backend.get(f"t{n}-{i}") == i
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(backend._cache._clients) == 1
