"""Django's Redis cache backend, keeping its Redis client instead of making one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call
(the connection pool is shared, but each client copies redis-py's ~170 response callbacks),
and a page can make several cache calls (the session, the page cache, its version tokens).
Here each backend instance (Django makes one per thread) keeps one client per server; a
``redis.Redis`` is also safe to share between threads, should a backend be shared.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:  # two threads may both make one: the last kept, both work
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
