"""A message written outside agreed hours goes at the start of the next window."""

from __future__ import annotations

import datetime as dt

import time_machine

from safecontact.contact.models import Message
from safecontact.contact.services import deliver_due
from safecontact.contact.tests.conftest import LONDON
from safecontact.contact.tests.smtp import send

EVENING_HOURS = [{"day": d, "start": "18:00", "end": "20:00"} for d in range(7)]


def test_it_waits_for_the_next_window_then_delivers(worker, sender, family, smtp):
    family.consent.hours = EVENING_HOURS
    family.consent.save()
    with time_machine.travel(dt.datetime(2026, 3, 10, 22, 15, tzinfo=LONDON)):
        message = send(worker, [family.child])
        assert message.status == Message.Status.DEFERRED
        assert message.deliver_at == dt.datetime(2026, 3, 11, 18, 0, tzinfo=LONDON)
        assert deliver_due()["sent"] == 0
    with time_machine.travel(dt.datetime(2026, 3, 11, 17, 59, tzinfo=LONDON)):
        assert deliver_due()["sent"] == 0
    with time_machine.travel(dt.datetime(2026, 3, 11, 18, 0, 1, tzinfo=LONDON)):
        assert deliver_due()["sent"] == 1
    assert len(smtp.mailbox.received) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_an_urgent_message_goes_now_and_tells_the_lead(worker, sender, family, lead):
    family.consent.hours = EVENING_HOURS
    family.consent.save()
    message = send(
        worker, [family.child], urgent_reason="Trip cancelled: coach broke down"
    )
    assert message.status == Message.Status.QUEUED
    assert "hours.urgent_override" in [r["rule_id"] for r in message.reasons]
    assert lead.inbox_items.filter(message=message).exists()
