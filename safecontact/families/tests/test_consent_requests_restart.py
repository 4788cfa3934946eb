"""A real ``manage.py db_worker`` killed with ``kill -9`` in the middle of a
consent request batch: after "Carry on sending" and a new worker, every parent
has their email. Killed before the mail server took the third email, nobody
gets two; killed after the server had it but before it answered (the window
SMTP leaves open), that one parent gets a second, newer link.

The mail server holds the third email where the test asks
(``GatedMailbox.arm``). The claim lease is ten minutes; the
test ages the batch's rows by eleven instead of waiting (see
``safecontact/contact/tests/outbox_processes.py`` for the shared database).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from safecontact.accounts.tests.factories import UserFactory
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.outbox_processes import (
    NOT_PASSED_ON,
    ROOT,
    GatedMailbox,
    SharedDatabase,
    kill_9,
    wait_for,
)
from safecontact.contact.tests.smtp import SmtpServer
from safecontact.families.models import ConsentRequest
from safecontact.families.requests import carry_on, request_consent

pytestmark = pytest.mark.django_db(transaction=True)
SENT = "SELECT count(*) FROM families_consentrequest WHERE sent_at IS NOT NULL"
AGE_BY_ELEVEN_MINUTES = {
    "sqlite": (
        "UPDATE families_consentrequest SET "
        "created_at = datetime(created_at, '-11 minutes'), "
        "claimed_at = datetime(claimed_at, '-11 minutes')"
    ),
    "postgresql": (
        "UPDATE families_consentrequest SET "
        "created_at = created_at - interval '11 minutes', "
        "claimed_at = claimed_at - interval '11 minutes'"
    ),
}


@pytest.fixture
def _tuesday_morning() -> None:
    """The worker runs at the real time, so the test does too."""


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    smtp = SmtpServer()
    smtp.mailbox = GatedMailbox()
    smtp.start()
    yield smtp
    smtp.mailbox.release()
    smtp.stop()


def _worker(
    shared: SharedDatabase, smtp_port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env.update(shared.env)
    env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="30",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    with open(log, "ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",  # one process: the one killed is the worker
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _age(shared: SharedDatabase) -> None:
    sql = AGE_BY_ELEVEN_MINUTES[connection.vendor]
    if shared.sqlite:
        with sqlite3.connect(shared.path, timeout=20) as db:
            db.execute(sql)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize(
    ("point", "twice"),
    [
        # Killed before the server took the third email: exactly once each.
        ("rcpt", 0),
        # Killed after the server had the whole third email but before it said
        # so: SMTP cannot tell, so that one parent gets a second, newer link.
        ("data", 1),
    ],
)
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    org, server, tmp_path, point, twice
):
    lead = UserFactory.create(organisation=org, role="lead")
    families = [make_family(org) for _ in range(6)]
    batch = request_consent(actor=lead, subjects=[f.child for f in families])
    shared = SharedDatabase(tmp_path)
    shared.publish()
    log = tmp_path / "worker.log"
    mailbox = server.mailbox
    assert isinstance(mailbox, GatedMailbox)

    mailbox.arm(point, skip=2)  # the third email is held there
    worker = _worker(shared, server.port, log)
    try:
        assert mailbox.reached.wait(120), log.read_text()
        kill_9(worker)
    finally:
        if worker.poll() is None:
            kill_9(worker)
    mailbox.release()
    assert shared.count(SENT) == 2
    assert len(mailbox.received) == 2 + twice

    _age(shared)  # eleven minutes later, with no worker running
    shared.collect()
    assert carry_on(actor=lead, batch=batch)  # the Lead's "Carry on sending"
    shared.publish()
    worker = _worker(shared, server.port, log)
    try:
        wait_for(lambda: shared.count(SENT) == 6, seconds=120, what="the batch")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    shared.collect()

    received = Counter(a for r in mailbox.received for a in r.rcpt_tos)
    assert set(received) == {f.parent.email for f in families}  # nothing lost
    assert sum(received.values()) == 6 + twice
    if twice:
        assert received[families[2].parent.email] == 2  # only the one cut off
    assert not ConsentRequest.objects.filter(batch=batch, sent_at=None).exists()
