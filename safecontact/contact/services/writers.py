"""Let SQLite writers queue for their turn instead of polling for it.

With ``transaction_mode=IMMEDIATE`` a second writer waits in SQLite's busy
handler, which sleeps in growing steps (1, 2, 5 ... 100 ms) and tries again,
so under load a send can wait far longer than the write it waits for. Taking
an exclusive ``flock`` on a file beside the database first makes writers
from every thread and process wait in the kernel and go as soon as the
previous one finishes. PostgreSQL queues lock waiters itself; there, and for
in-memory SQLite databases, this does nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _lock_path() -> str | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return f"{name}-writers.lock"


@contextmanager
def writer_turn() -> Iterator[None]:
    """Hold the database's writer lock (SQLite files only) for the block.

    Take it outside the transaction: it must be held before BEGIN IMMEDIATE
    and released after COMMIT.
    """
    path = _lock_path()
    if path is None:
        yield
        return
    with open(path, "a") as lock:  # each open is its own lock owner
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
