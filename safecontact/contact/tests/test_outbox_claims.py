"""Claims: committed before SMTP, taken back from a dead process, finished once.

In-process, with the clock moved by time-machine; test_outbox_kill.py does the
same to a real ``run_outbox`` process with ``kill -9``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from safecontact.contact.models import Delivery, Message
from safecontact.contact.services import deliver_due
from safecontact.contact.services.delivery import (
    CLAIM_LEASE,
    GAVE_UP,
    MOST_INTERRUPTIONS,
    RESENT,
    claim_next,
    mark_sent,
)
from safecontact.contact.tests.smtp import Mailbox, send
from safecontact.ledger.models import LedgerEntry

LATER = CLAIM_LEASE + dt.timedelta(seconds=1)


def _delivered(delivery: Delivery) -> list[LedgerEntry]:
    return [
        e
        for e in LedgerEntry.objects.filter(kind=LedgerEntry.Kind.MESSAGE_DELIVERED)
        if e.content["delivery"] == str(delivery.code)
    ]


def _die_mid_send(now: dt.datetime | None = None) -> Delivery:
    """What a process killed during the SMTP conversation leaves behind."""
    delivery_id = claim_next(now or timezone.now())
    assert delivery_id is not None
    return Delivery.objects.get(id=delivery_id)


def test_a_claim_is_stamped_with_the_message_id_before_any_smtp(worker, sender, family):
    send(worker, [family.child])
    delivery = _die_mid_send()
    assert delivery.status == Delivery.Status.SENDING
    assert delivery.claimed_at is not None
    assert delivery.smtp_message_id.startswith("<")
    assert delivery.message.reply_token in delivery.smtp_message_id


def test_a_claim_within_its_lease_is_left_alone(
    worker, sender, family, smtp, _tuesday_morning
):
    send(worker, [family.child])
    claimed = _die_mid_send()
    _tuesday_morning.shift(CLAIM_LEASE - dt.timedelta(seconds=5))
    assert deliver_due()["sent"] == 0
    claimed.refresh_from_db()
    assert claimed.status == Delivery.Status.SENDING
    assert smtp.mailbox.received == []


def test_an_interrupted_email_is_sent_again_with_the_same_message_id(
    worker, sender, family, smtp, _tuesday_morning
):
    send(worker, [family.child])
    claimed = _die_mid_send()
    _tuesday_morning.shift(LATER)
    counts = deliver_due()
    assert counts["reclaimed"] == 1 and counts["sent"] == 1
    [received] = smtp.mailbox.received
    assert received.message["Message-ID"].strip() == claimed.smtp_message_id
    claimed.refresh_from_db()
    assert claimed.status == Delivery.Status.SENT
    assert claimed.interruptions == 1 and claimed.attempts == 2
    # The sender and the Lead see it may have arrived twice; so does the log.
    assert claimed.last_error == RESENT
    [entry] = _delivered(claimed)
    assert entry.content["possible_duplicate"] is True
    assert entry.content["interrupted"] == 1
    assert entry.content["smtp_message_id"] == claimed.smtp_message_id


def test_an_email_sent_without_interruption_is_not_called_a_duplicate(
    worker, sender, family, smtp
):
    message = send(worker, [family.child])
    deliver_due()
    [entry] = _delivered(message.deliveries.get())
    assert "possible_duplicate" not in entry.content


def test_a_row_interrupted_again_and_again_is_given_up_on(
    worker, sender, family, smtp, _tuesday_morning
):
    message = send(worker, [family.child])
    good = send(worker, [family.child], body="Bring a packed lunch.")
    for _ in range(MOST_INTERRUPTIONS):
        # Each round, the process "dies" while sending the first row.
        _die_mid_send(now=message.deliveries.get().next_attempt_at)
        _tuesday_morning.shift(LATER)
        deliver_due(limit=0)
    bad = message.deliveries.get()
    assert bad.status == Delivery.Status.FAILED
    assert bad.last_error == GAVE_UP.format(n=MOST_INTERRUPTIONS)
    failed = LedgerEntry.objects.get(kind=LedgerEntry.Kind.MESSAGE_FAILED)
    assert failed.content["possible_duplicate"] is True
    assert deliver_due()["sent"] == 1
    assert good.deliveries.get().status == Delivery.Status.SENT


def test_a_slow_process_that_lost_its_claim_does_not_log_a_second_delivery(
    worker, sender, family, smtp, _tuesday_morning
):
    send(worker, [family.child])
    slow = _die_mid_send()  # still alive, but stuck past its lease
    _tuesday_morning.shift(LATER)
    deliver_due()  # another process takes the row back and sends it
    assert mark_sent(slow, smtp_message_id=slow.smtp_message_id) is False
    assert len(_delivered(slow)) == 1


class _HangsUpAfterTheMessage(Mailbox):
    """Takes the first message, then drops the connection instead of saying 250."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 1:
            server.transport.close()
        return answer


def test_a_connection_lost_after_the_message_is_logged_as_a_possible_duplicate(
    worker, sender, family, smtp, _tuesday_morning
):
    smtp.stop()
    smtp.mailbox = _HangsUpAfterTheMessage()
    smtp.start()
    message = send(worker, [family.child])
    assert deliver_due()["retry"] == 1
    delivery = message.deliveries.get()
    assert delivery.status == Delivery.Status.PENDING
    assert "may have arrived already" in delivery.last_error
    _tuesday_morning.shift(dt.timedelta(minutes=1))
    assert deliver_due()["sent"] == 1
    first, second = smtp.mailbox.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    [entry] = _delivered(delivery)
    assert entry.content["possible_duplicate"] is True


class _RefusesEveryone(Mailbox):
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return "550 No such user here"


def test_a_refusal_from_the_server_is_not_called_a_possible_duplicate(
    worker, sender, family, smtp
):
    smtp.stop()
    smtp.mailbox = _RefusesEveryone()
    smtp.start()
    message = send(worker, [family.child])
    assert deliver_due()["failed"] == 1
    delivery = message.deliveries.get()
    assert delivery.interruptions == 0
    assert "may have arrived" not in delivery.last_error
    failed = LedgerEntry.objects.get(kind=LedgerEntry.Kind.MESSAGE_FAILED)
    assert "possible_duplicate" not in failed.content


class _Watching(Mailbox):
    """Notes, while the mail server holds each message, whether the outbox's
    database connection is inside a transaction."""

    def __init__(self, wrapper: Any) -> None:
        super().__init__()
        self.wrapper = wrapper
        self.in_transaction: list[bool] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.in_transaction.append(_in_transaction(self.wrapper))
        return await super().handle_DATA(server, session, envelope)


def _in_transaction(wrapper: Any) -> bool:
    raw = wrapper.connection
    if wrapper.vendor == "sqlite":
        return bool(wrapper.in_atomic_block or raw.in_transaction)
    from psycopg.pq import TransactionStatus

    idle = raw.info.transaction_status == TransactionStatus.IDLE
    return bool(wrapper.in_atomic_block or not idle)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_mail_server_has_the_email(
    worker, sender, family, smtp
):
    smtp.stop()
    smtp.mailbox = _Watching(connections["default"])
    smtp.start()
    for n in range(3):
        send(worker, [family.child], body=f"Note {n}.")
    assert deliver_due()["sent"] == 3
    assert smtp.mailbox.in_transaction == [False, False, False]
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
