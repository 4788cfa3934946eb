"""Long-running commands (outbox, IMAP polling) work in rounds.

Each round starts with a healthy database connection, and a database that
is briefly down costs a round, not the process: the command says so in plain
words and tries again after its interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections


def run_rounds(
    work: Callable[[], None], *, once: bool, interval: float, stderr: Any
) -> None:
    while True:
        close_old_connections()
        try:
            work()
        except DatabaseError as error:
            if once:
                raise CommandError(f"The database is not answering: {error}") from error
            stderr.write(
                f"The database is not answering ({error.__class__.__name__}); "
                f"trying again in {interval:g} s."
            )
        if once:
            return
        time.sleep(interval)
