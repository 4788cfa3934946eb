"""``kill -9`` the outbox mid-batch, at several points: nothing is lost, and
nothing arrives twice unless the contact log says it may have (same Message-ID).

Real ``manage.py run_outbox`` processes, a real SMTP server that stops where
the test asks, the test's own database (see outbox_processes.py).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safecontact.contact.models import Delivery, Message
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.outbox_processes import (
    ALL_DAY,
    GatedMailbox,
    SharedDatabase,
    kill_9,
    start_outbox,
    wait_for,
)
from safecontact.contact.tests.smtp import SmtpServer, send
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.selectors import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)
LEASE = "1"  # seconds: a killed process's claim is taken back quickly
UNFINISHED = (
    "SELECT count(*) FROM contact_delivery WHERE status IN ('pending', 'sending')"
)


@pytest.fixture
def _tuesday_morning() -> None:
    """The outbox processes run at the real time, so the test does too."""


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    smtp = SmtpServer()
    smtp.mailbox = GatedMailbox()
    smtp.start()
    yield smtp
    smtp.mailbox.release()
    smtp.stop()


@pytest.fixture
def shared(tmp_path: Path) -> SharedDatabase:
    return SharedDatabase(tmp_path)


def _queue(worker: Any, org: Any, count: int) -> list[Message]:
    family = make_family(org, hours=ALL_DAY)
    return [send(worker, [family.child], body=f"Note {n}.") for n in range(count)]


def _received(server: SmtpServer) -> int:
    return len(server.mailbox.received)


class Run:
    """One outbox process at a time, killed where the test says."""

    def __init__(self, shared: SharedDatabase, server: SmtpServer, log: Path) -> None:
        self.shared, self.server, self.log = shared, server, log
        self.mailbox: GatedMailbox = server.mailbox  # type: ignore[assignment]

    def start(self) -> Any:
        # Let the last killed process's claim go stale first, so its row is
        # taken back (and sent) at the start of the batch, before the next kill.
        time.sleep(float(LEASE) + 0.1)
        return start_outbox(
            self.shared, self.server.port, self.log, "--claim-lease", LEASE
        )

    def kill_at(self, point: str, *, skip: int, blocked_writes: bool = False) -> None:
        self.mailbox.arm(point, skip=skip)
        process = self.start()
        try:
            assert self.mailbox.reached.wait(60), self.log.read_text()
            if blocked_writes:
                # The server has said 250: the outbox is about to record the
                # delivery. Stop it there, with the write waiting on a lock.
                with self.shared.writes_blocked():
                    self.mailbox.release()
                    time.sleep(0.5)
                    kill_9(process)
            else:
                kill_9(process)
        finally:
            self.mailbox.release()
            if process.poll() is None:
                kill_9(process)

    def kill_after(self, received: int) -> None:
        """Kill at whatever point the batch has reached by then."""
        process = self.start()
        try:
            wait_for(
                lambda: _received(self.server) >= received,
                seconds=60,
                what=f"{received} emails",
            )
        finally:
            kill_9(process)

    def finish(self) -> None:
        process = self.start()
        try:
            wait_for(
                lambda: self.shared.count(UNFINISHED) == 0,
                seconds=120,
                what="every delivery to finish",
            )
        finally:
            kill_9(process)


def test_kill_9_at_any_point_loses_nothing_and_logs_every_duplicate(
    worker, sender, org, server, shared, tmp_path
):
    messages = _queue(worker, org, 14)
    shared.publish()
    run = Run(shared, server, tmp_path / "outbox.log")
    run.mailbox.delay = 0.05

    # Before the server has the message: it never arrived.
    run.kill_at("rcpt", skip=2)
    # After the whole message has arrived, before the server said so.
    run.kill_at("data", skip=2)
    # After the server said so, before the outbox recorded it.
    run.kill_at("data", skip=2, blocked_writes=True)
    # Wherever the batch happens to be.
    run.kill_after(_received(server) + 3)
    run.finish()

    shared.collect()
    deliveries = list(Delivery.objects.filter(message__in=messages))
    assert {d.status for d in deliveries} == {Delivery.Status.SENT}
    arrived = run.mailbox.by_message_id()
    # Every email arrived, under the Message-ID stamped on its delivery.
    assert {d.smtp_message_id for d in deliveries} == set(arrived)
    delivered = [
        e.content
        for e in LedgerEntry.objects.filter(kind=LedgerEntry.Kind.MESSAGE_DELIVERED)
    ]
    # The log says "delivered" exactly once for each delivery.
    assert Counter(c["delivery"] for c in delivered) == Counter(
        str(d.code) for d in deliveries
    )
    # Anything that arrived twice is one the log marks as a possible duplicate.
    flagged = {c["smtp_message_id"] for c in delivered if c.get("possible_duplicate")}
    twice = {mid for mid, n in arrived.items() if n > 1}
    assert twice <= flagged
    assert max(arrived.values()) <= 2
    # The kills after the message had arrived did make duplicates, and the
    # one before it did not; each interruption is on its delivery's record.
    assert len(twice) >= 2
    assert len([d for d in deliveries if d.interruptions]) == len(flagged) >= 3
    assert verify_chain(org).ok
