from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from safecontact.contact.models import Delivery, Message, Recipient
from safecontact.contact.tests.smtp import send as _send
from safecontact.ledger.models import LedgerEntry


def test_it_copies_a_parent_into_email_to_a_child(worker, sender, family):
    message = _send(worker, [family.child])
    assert message.status == Message.Status.QUEUED
    roles = {r.person: (r.role, r.added_by_rule) for r in message.recipient_rows.all()}
    assert roles[family.child] == ("to", "")
    assert roles[family.parent] == ("cc", "child.no_one_to_one")
    delivery = message.deliveries.get()
    assert delivery.status == Delivery.Status.PENDING
    assert len(delivery.to) == 1 and family.parent.email in delivery.cc[0]


def test_it_logs_every_attempt_whatever_the_decision(worker, sender, family):
    family.child.email = ""
    family.child.save()
    message = _send(worker, [family.child])
    assert message.status == Message.Status.BLOCKED
    assert not message.deliveries.exists()
    entry = LedgerEntry.objects.get(kind="message.attempt")
    assert entry.content["message"] == str(message.code)
    assert entry.content["outcome"] == "block"
    assert "gateway.reachable" in entry.content["rules"]


def test_preview_stores_nothing(worker, sender, family):
    message = _send(worker, [family.child], preview=True)
    assert message.pk is None
    assert message.decision["outcome"] == "allow_with_changes"
    assert not Message.objects.exists() and not LedgerEntry.objects.exists()


def test_it_blocks_a_worker_without_clearance(worker, family, org):
    message = _send(worker, [family.child])  # no register entry for this login
    assert message.status == Message.Status.BLOCKED
    assert "sender.active" in [r["rule_id"] for r in message.reasons]


def test_it_puts_group_email_in_bcc(worker, sender, group):
    message = _send(worker, [], group=group)
    assert message.status == Message.Status.QUEUED, message.reasons
    assert set(message.recipient_rows.values_list("role", flat=True)) == {"bcc"}
    delivery = message.deliveries.get()
    assert delivery.to == [] and delivery.cc == [] and len(delivery.bcc) == 3


def test_it_refuses_people_from_another_organisation(worker, sender, other_org):
    from safecontact.contact.tests.conftest import make_family

    stranger = make_family(other_org)
    with pytest.raises(ValidationError):
        _send(worker, [stranger.child])


def test_it_holds_worrying_content_and_alerts_the_lead(worker, sender, family, lead):
    body = "This is our secret, don't tell your mum. Add me on snapchat instead."
    message = _send(worker, [family.child], body=body)
    assert message.status == Message.Status.HELD, message.reasons
    alert = message.alerts.get()
    assert alert.ledger_entry is not None
    assert alert.findings and alert.findings[0]["evidence"] in body
    assert lead.inbox_items.filter(message=message).exists()
    assert not message.deliveries.exists()
    assert Recipient.objects.filter(message=message, role="cc").exists()
