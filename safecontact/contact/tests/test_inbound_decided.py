"""Replies decided by the policy core, attributed only to someone on the
conversation, and stored whatever bytes they carry."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from safecontact.accounts.models import Organisation
from safecontact.contact.models import InboundMessage, Message
from safecontact.contact.services import deliver_due, receive_inbound
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.ledger.models import LedgerEntry
from safecontact.people.tests.factories import AdultAtRiskFactory, ConsentFactory


def _mail_to_child(worker, family, smtp):
    send(worker, [family.child])
    deliver_due()
    return smtp.mailbox.received[-1]


def _rules(message):
    return [r["rule_id"] for r in message.decision["reasons"]]


def test_a_reply_without_a_reply_token_is_quarantined(org, worker, sender, family):
    mail = EmailMessage()
    mail["From"] = family.child.email
    mail["To"] = org.inbox_address
    mail["Subject"] = "hello"
    mail.set_content("It's me, honest.")
    record = receive_inbound(mail.as_bytes())
    assert record.status == InboundMessage.Status.QUARANTINED
    assert "does not answer a message sent through SafeContact" in record.reason
    assert record.organisation == org and record.message is None
    assert bytes(record.raw) == mail.as_bytes()


def test_a_reply_from_someone_not_on_the_conversation_is_quarantined(
    org, worker, sender, family, smtp
):
    """Knowing a thread's token is not enough: the From address must be of
    someone the message went to (or came from)."""
    received = _mail_to_child(worker, family, smtp)
    other = make_family(org)
    record = receive_inbound(reply_to(received, other.child.email, "hi"))
    assert record.status == InboundMessage.Status.QUARANTINED
    assert "not on" in record.reason
    assert LedgerEntry.objects.filter(kind="message.quarantined").count() == 1
    assert not Message.objects.filter(direction="inbound").exists()


def test_a_parent_answering_the_copy_reaches_the_worker(worker, sender, family, smtp):
    received = _mail_to_child(worker, family, smtp)
    reply = receive_inbound(reply_to(received, family.child.email, "Yes!")).message
    deliver_due()
    copy = smtp.mailbox.for_address(family.parent.email)[-1]
    answer = receive_inbound(reply_to(copy, family.parent.email, "Lovely")).message
    assert answer.in_reply_to == reply and answer.sender == family.parent
    assert answer.recipient_rows.get().person == sender
    assert worker.inbox_items.filter(message=answer).exists()


def test_a_childs_reply_with_nobody_to_copy_is_held_reply_no_one_to_one(
    org, worker, sender, family, smtp, lead
):
    org.copy_policy = Organisation.CopyPolicy.PARENT
    org.save()
    received = _mail_to_child(worker, family, smtp)
    family.parent.email = ""
    family.parent.save()
    reply = receive_inbound(reply_to(received, family.child.email, "ok")).message
    assert reply.status == Message.Status.HELD
    assert "reply.no_one_to_one" in _rules(reply)
    assert not worker.inbox_items.filter(message=reply).exists()
    assert lead.inbox_items.filter(message=reply).exists()


def test_an_adult_at_risks_reply_is_shown_to_the_lead_reply_visible(
    org, worker, sender, smtp, lead
):
    adult = AdultAtRiskFactory.create(organisation=org)
    ConsentFactory.create(
        subject=adult, kind="adult", given_by=None, capacity="has_capacity"
    )
    message = send(worker, [adult])
    assert message.status == Message.Status.QUEUED, message.reasons
    deliver_due()
    raw = reply_to(smtp.mailbox.received[-1], adult.email, "Thank you")
    reply = receive_inbound(raw).message
    assert _rules(reply) == ["reply.visible"]
    assert lead.inbox_items.filter(message=reply).exists()
    assert not reply.deliveries.exists()


def test_ages_use_the_organisations_date_not_the_servers(
    _tuesday_morning, org, worker, sender, smtp
):
    """At 20:00 on 10 March in London it is already 11 March in Auckland: a
    child born on 11 March 2008 is 18 there, so no copy is needed."""
    org.timezone = "Pacific/Auckland"
    org.save()
    _tuesday_morning.move_to(dt.datetime(2026, 3, 9, 22, 0, tzinfo=dt.UTC))
    family = make_family(org)
    family.child.date_of_birth = dt.date(2008, 3, 11)
    family.child.save()
    send(worker, [family.child])
    deliver_due()
    _tuesday_morning.move_to(dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC))
    raw = reply_to(smtp.mailbox.received[-1], family.child.email, "Thanks")
    reply = receive_inbound(raw).message
    assert "child.no_one_to_one" not in _rules(reply)
    assert not reply.deliveries.exists()


def test_a_reply_with_nul_characters_is_stored_without_them(
    worker, sender, family, smtp
):
    """PostgreSQL refuses NUL in text: the reply is kept, the NULs dropped,
    and the bytes as received are preserved."""
    received = _mail_to_child(worker, family, smtp)
    raw = reply_to(received, family.child.email, "See you\x00 there")
    raw = raw.replace(b"Subject: Re:", b"Subject: Re:\x00", 1)
    assert b"\x00" in raw
    record = receive_inbound(raw)
    assert record.status == InboundMessage.Status.ACCEPTED
    assert bytes(record.raw) == raw
    reply = record.message
    assert reply.body == "See you there"
    assert "\x00" not in reply.subject and "\x00" not in record.subject


def test_unreadable_mail_with_nul_characters_is_quarantined_whole(db):
    raw = b"From: \x00nobody\r\nTo: \x00\r\n\r\n\x00\x00\x00"
    record = receive_inbound(raw)
    assert record.status == InboundMessage.Status.QUARANTINED
    assert bytes(record.raw) == raw
    assert "\x00" not in record.from_address + record.to_addresses


def test_thousands_of_addresses_cost_a_bounded_number_of_queries(
    org, worker, sender, family, django_assert_max_num_queries
):
    mail = EmailMessage()
    mail["From"] = family.child.email
    mail["To"] = ", ".join(f"x{n}+{n:020x}@example.net" for n in range(5000))
    mail.set_content("hello")
    with django_assert_max_num_queries(120):
        record = receive_inbound(mail.as_bytes())
    assert record.status == InboundMessage.Status.QUARANTINED
    assert "not addressed to any organisation" in record.reason
