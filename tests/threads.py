"""What the concurrency tests share: work run in threads at once, each thread with its own
database connection (PostgreSQL), the test failing if any of them raised."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def in_threads(*work: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Run each of ``work`` in a thread of its own, all started before any is waited for, then
    wait for them (each at most ``timeout`` seconds); each thread closes its database connection
    when done. Fails the test if any raised. Returns what each returned, in order."""
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = work[index]()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return results
