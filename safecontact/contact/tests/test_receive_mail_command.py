"""The receive_mail SMTP listener records replies sent to it over real SMTP."""

from __future__ import annotations

import smtplib

import pytest

from safecontact.contact.management.commands.receive_mail import start_listener
from safecontact.contact.models import InboundMessage
from safecontact.contact.services import deliver_due
from safecontact.contact.tests.smtp import free_port, reply_to, send


@pytest.fixture
def listener():
    port = free_port()
    controller = start_listener("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_a_reply_over_smtp_reaches_the_worker_and_the_parent(
    worker, sender, family, smtp, listener
):
    send(worker, [family.child])
    deliver_due()
    received = smtp.mailbox.received[-1]
    raw = reply_to(received, family.child.email, "See you Thursday")
    with smtplib.SMTP("127.0.0.1", listener) as client:
        client.sendmail(family.child.email, [str(received.message["Reply-To"])], raw)
    record = InboundMessage.objects.get()
    assert record.status == InboundMessage.Status.ACCEPTED
    assert worker.inbox_items.filter(message=record.message).exists()
    deliver_due()
    assert (
        smtp.mailbox.for_address(family.parent.email)[-1]
        .message["Subject"]
        .startswith("Copy:")
    )


@pytest.mark.django_db(transaction=True)
def test_mail_for_an_unknown_inbox_is_refused_at_the_door(org, listener):
    with (
        smtplib.SMTP("127.0.0.1", listener) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.sendmail("a@example.net", ["nobody@example.net"], b"Subject: x\r\n\r\nx")
    assert not InboundMessage.objects.exists()
