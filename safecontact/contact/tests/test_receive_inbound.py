"""Replies reach the worker, copied to a parent, visible to the Lead; bad mail is
quarantined, never dropped."""

from __future__ import annotations

from email.message import EmailMessage

from safecontact.contact.models import InboundMessage, InboxItem, Message
from safecontact.contact.services import deliver_due, receive_inbound
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.ledger.models import LedgerEntry


def _sent_to_child(worker, family, smtp):
    message = send(worker, [family.child])
    deliver_due()
    return message, smtp.mailbox.received[-1]


def test_a_childs_reply_is_copied_to_the_parent_and_seen_by_the_lead(
    worker, sender, family, smtp, lead
):
    original, received = _sent_to_child(worker, family, smtp)
    raw = reply_to(received, family.child.email, "Thanks, I'll be there!")
    record = receive_inbound(raw)
    assert record.status == InboundMessage.Status.ACCEPTED
    reply = record.message
    assert reply.in_reply_to == original and reply.thread == original
    assert reply.sender == family.child
    assert worker.inbox_items.get(message=reply).reason == InboxItem.Reason.REPLY
    assert lead.inbox_items.filter(message=reply).exists()
    assert LedgerEntry.objects.filter(kind="message.inbound").count() == 1

    deliver_due()
    copy = smtp.mailbox.for_address(family.parent.email)[-1].message
    assert copy["Subject"].startswith("Copy: Re:")
    assert "Thanks, I'll be there!" in copy.get_body().get_content()
    assert str(original.code) not in copy.as_string()
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT


def test_a_reply_threads_by_its_reply_to_token_alone(worker, sender, family, smtp):
    original, received = _sent_to_child(worker, family, smtp)
    raw = reply_to(received, family.child.email, "Hello")
    raw = raw.replace(b"In-Reply-To:", b"X-Old-In-Reply-To:")
    raw = raw.replace(b"References:", b"X-Old-References:")
    assert receive_inbound(raw).message.in_reply_to == original


def test_no_copy_when_the_parent_was_on_the_reply(worker, sender, family, smtp):
    _, received = _sent_to_child(worker, family, smtp)
    raw = reply_to(received, family.child.email, "Hi", Cc=family.parent.email)
    reply = receive_inbound(raw).message
    assert not reply.deliveries.exists()


def test_an_unknown_sender_is_quarantined(worker, sender, family, smtp, org):
    _, received = _sent_to_child(worker, family, smtp)
    record = receive_inbound(reply_to(received, "stranger@example.net", "hi"))
    assert record.status == InboundMessage.Status.QUARANTINED
    assert record.reason == "The sender is not in the organisation's register."
    assert record.organisation == org and bytes(record.raw)
    assert LedgerEntry.objects.filter(kind="message.quarantined").count() == 1


def test_mail_for_no_organisation_is_quarantined(db):
    mail = EmailMessage()
    mail["From"] = "someone@example.net"
    mail["To"] = "nobody@example.net"
    mail.set_content("hello")
    record = receive_inbound(mail.as_bytes())
    assert record.status == InboundMessage.Status.QUARANTINED
    assert "not addressed to any organisation" in record.reason


def test_malformed_mail_is_quarantined(db):
    record = receive_inbound(b"\x00\xff this is not an email at all")
    assert record.status == InboundMessage.Status.QUARANTINED
    assert record.reason


def test_oversized_mail_is_quarantined_with_its_size(db, settings):
    from safecontact.contact.services import inbound

    big = b"Subject: big\r\n\r\n" + b"x" * (inbound.MAX_INBOUND_BYTES + 1)
    record = receive_inbound(big)
    assert record.status == InboundMessage.Status.QUARANTINED
    assert "the limit is" in record.reason
    assert (
        record.size == len(big) and len(bytes(record.raw)) == inbound.KEPT_OF_OVERSIZE
    )


def test_worrying_inbound_mail_is_held_with_an_alert(
    worker, sender, family, smtp, lead
):
    _, received = _sent_to_child(worker, family, smtp)
    body = "Don't tell your mum about this, it's our secret. Add me on snapchat."
    reply = receive_inbound(reply_to(received, family.child.email, body)).message
    assert reply.status == Message.Status.HELD
    assert reply.alerts.get().ledger_entry.kind == "message.inbound"
    assert not worker.inbox_items.filter(message=reply).exists()
    assert not reply.deliveries.exists()
