"""Real ``run_outbox`` processes for the tests: one database, one SMTP server.

``SharedDatabase`` lets a subprocess use the test's database: on PostgreSQL
the test database itself (tests must commit, ``transaction=True``); on SQLite,
whose test database lives in memory, a file copy that is copied back before
the test reads the results. ``GatedMailbox`` is an SMTP server that can stop
at a chosen point of the conversation so the test can ``kill -9`` the outbox
exactly there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection

from safecontact.contact.tests.smtp import Mailbox, Received

ROOT = Path(__file__).resolve().parents[3]
# All day, every day: the subprocesses run at the real time of day.
ALL_DAY = [
    {"day": d, "start": start, "end": end}
    for d in range(7)
    for start, end in (("00:00", "12:00"), ("12:00", "00:00"))
]
# Set by the browser tests in this process; a deployment never has it.
NOT_PASSED_ON = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "SQLITE_PATH"}


class SharedDatabase:
    def __init__(self, tmp_path: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.path = tmp_path / "outbox.sqlite3"

    @property
    def env(self) -> dict[str, str]:
        if self.sqlite:
            return {"SQLITE_PATH": str(self.path)}
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return {"DATABASE_URL": url}

    def publish(self) -> None:
        """Before the subprocesses start: give them what the test wrote."""
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)

    def collect(self) -> None:
        """After they stop: let the test's connection see what they wrote."""
        if self.sqlite:
            source = sqlite3.connect(self.path)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    def count(self, sql: str) -> int:
        """One number, read while the subprocesses run."""
        if self.sqlite:
            with sqlite3.connect(self.path, timeout=20) as db:
                return int(db.execute(sql).fetchone()[0])
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return int(cursor.fetchone()[0])

    @contextmanager
    def writes_blocked(self) -> Iterator[None]:
        """Hold the database's write lock: the outbox's next write waits."""
        if self.sqlite:
            db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                db.execute("ROLLBACK")
                db.close()
            return
        import psycopg

        url = self.env["DATABASE_URL"]
        with psycopg.connect(url) as pg:  # one transaction, rolled back below
            pg.execute("LOCK TABLE contact_delivery IN EXCLUSIVE MODE")
            yield
            pg.rollback()


class GatedMailbox(Mailbox):
    """Accepts everything, but can stop once, at a chosen point, until told.

    ``arm("rcpt")`` stops before the message is taken (a kill there means it
    never arrived); ``arm("data")`` after the whole message has arrived but
    before the server says so (a real server would deliver it); ``delay``
    slows every message down so a batch is still running when it is killed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.reached = threading.Event()
        self.proceed = threading.Event()
        self._point = ""
        self._skip = 0
        self.delay = 0.0
        self._lock = threading.Lock()

    def arm(self, point: str, *, skip: int = 0) -> None:
        self.reached.clear()
        self.proceed.clear()
        self._point, self._skip = point, skip

    def release(self) -> None:
        self._point = ""
        self.proceed.set()

    async def _gate(self, point: str) -> None:
        with self._lock:
            if self._point != point:
                return
            if self._skip > 0:
                self._skip -= 1
                return
            self._point = ""
        self.reached.set()
        while not self.proceed.is_set():
            await asyncio.sleep(0.01)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        await self._gate("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        answer = await super().handle_DATA(server, session, envelope)
        await self._gate("data")
        return answer

    def by_message_id(self) -> Counter[str]:
        return Counter(_message_id(r) for r in self.received)


def _message_id(received: Received) -> str:
    return str(received.message["Message-ID"]).strip()


def start_outbox(
    shared: SharedDatabase, smtp_port: int, log: Path, *args: str
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env.update(shared.env)
    env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="30",
    )
    with open(log, "ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "run_outbox", "--interval", "0.2", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def kill_9(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.05)
