"""Three ``run_outbox`` processes share one outbox without sending anything twice.

This is how a deployment scales out: start more outbox processes. Each email
is claimed by exactly one of them before it is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from safecontact.contact.models import Delivery
from safecontact.contact.services.sending import queue_deliveries
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
EMAILS = 300
PROCESSES = 3
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
    # Slow enough that the first process is still busy when the last starts.
    smtp.mailbox.delay = 0.02
    smtp.start()
    yield smtp
    smtp.stop()


def _sent_by(log: Path) -> int:
    return sum(int(n) for n in re.findall(r"Outbox: sent (\d+)", log.read_text()))


def test_three_processes_share_the_work_and_send_each_email_once(
    worker, sender, org, server, tmp_path, monkeypatch
):
    # A few messages, each queued many times over: the outbox sees EMAILS
    # separate deliveries, each with its own Message-ID, in a fraction of the
    # time that checking EMAILS messages against the policy would take.
    families = [make_family(org, hours=ALL_DAY) for _ in range(3)]
    messages = [send(worker, [f.child]) for f in families]
    for n in range(EMAILS - len(messages)):
        queue_deliveries(messages[n % len(messages)])
    shared = SharedDatabase(tmp_path)
    shared.publish()
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")  # their counts, as they go
    logs = [tmp_path / f"outbox-{n}.log" for n in range(PROCESSES)]
    processes = [start_outbox(shared, server.port, log) for log in logs]
    try:
        wait_for(
            lambda: shared.count(UNFINISHED) == 0,
            seconds=240,
            what="every delivery to be sent",
        )
        # Each process prints its count when its round ends.
        wait_for(
            lambda: sum(_sent_by(log) for log in logs) >= EMAILS,
            seconds=60,
            what="every process to report its count",
        )
    finally:
        for process in processes:
            kill_9(process)

    arrived = server.mailbox.by_message_id()  # type: ignore[attr-defined]
    assert len(arrived) == EMAILS
    assert set(arrived.values()) == {1}
    shared.collect()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.MESSAGE_DELIVERED).count()
        == EMAILS
    )
    sent = [_sent_by(log) for log in logs]
    assert sum(sent) == EMAILS
    assert all(n > 0 for n in sent), sent  # each process took a share
    assert verify_chain(org).ok  # three writers, one unbroken contact log
