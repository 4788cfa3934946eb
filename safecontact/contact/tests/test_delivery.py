"""The outbox against a real SMTP server (aiosmtpd on localhost)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from safecontact.contact.models import Delivery, Message
from safecontact.contact.services import backoff, claim, deliver_due
from safecontact.contact.tests.smtp import send as _send
from safecontact.ledger.models import LedgerEntry


def test_it_emails_the_child_and_copies_the_parent(worker, sender, family, smtp, org):
    message = _send(worker, [family.child])
    counts = deliver_due()
    assert counts["sent"] == 1
    [received] = smtp.mailbox.received
    assert set(received.rcpt_tos) == {family.child.email, family.parent.email}
    mail = received.message
    assert family.child.email in mail["To"] and family.parent.email in mail["Cc"]
    assert org.email_from in mail["From"]
    token = message.reply_token
    assert mail["Reply-To"] == org.inbox_address.replace("@", f"+{token}@")
    assert token in mail["Message-ID"]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert LedgerEntry.objects.filter(kind="message.delivered").count() == 1


def test_group_email_hides_every_address(worker, sender, group, smtp):
    _send(worker, [], group=group)
    deliver_due()
    [received] = smtp.mailbox.received
    mail = received.message
    assert len(received.rcpt_tos) == 3
    assert mail["Bcc"] is None and mail["Cc"] is None
    assert mail["To"] == "undisclosed-recipients:;"
    raw = received.data.decode()
    assert not any(address in raw for address in received.rcpt_tos)


def test_a_down_server_delays_messages_and_loses_none(worker, sender, family, smtp):
    smtp.stop()
    first = _send(worker, [family.child])
    second = _send(worker, [family.child], body="Bring a packed lunch.")
    counts = deliver_due()
    assert counts["retry"] == 1
    failed = first.deliveries.get()
    assert failed.status == Delivery.Status.PENDING and failed.attempts == 1
    assert "Could not reach the mail server" in failed.last_error
    assert second.deliveries.get().attempts == 0  # untouched this round
    first.refresh_from_db()
    assert first.status == Message.Status.QUEUED

    smtp.start()
    later = timezone.now() + dt.timedelta(minutes=5)
    assert deliver_due(now=later)["sent"] == 2
    assert len(smtp.mailbox.received) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_only_one_claim_wins(worker, sender, family):
    delivery = _send(worker, [family.child]).deliveries.get()
    now = timezone.now()
    assert claim(delivery.id, now) is True
    assert claim(delivery.id, now) is False


def test_a_row_not_yet_due_is_not_claimed(worker, sender, family):
    delivery = _send(worker, [family.child]).deliveries.get()
    assert (
        claim(delivery.id, delivery.next_attempt_at - dt.timedelta(seconds=1)) is False
    )


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50) == dt.timedelta(hours=1)
