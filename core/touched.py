"""Which patients the current request touched.

The audit trail's middleware (``audit.middleware``) opens a collector for each request; the
access helpers call ``touch`` with the id of each patient whose data they hand out. Outside a
request (shell, tasks, tests calling helpers directly) there is no collector and ``touch`` does
nothing.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

current: ContextVar[set[int] | None] = ContextVar("audit_current", default=None)


def touch(patient_id: int | str | None) -> None:
    """Note that the current request read or changed this patient's data (else a no-op)."""
    touched = current.get()
    if touched is None or patient_id is None:
        return
    try:
        touched.add(int(patient_id))
    except (TypeError, ValueError):
        return


def start() -> Token[set[int] | None]:
    return current.set(set())


def stop(token: Token[set[int] | None]) -> set[int]:
    touched = current.get() or set()
    current.reset(token)
    return touched
