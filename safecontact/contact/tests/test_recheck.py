"""Every message is judged again as it leaves, with that moment's facts.

A message deferred to agreed hours (or waiting for a mail server, or for the
Lead) leaves only if the rules still allow it: each test changes one fact in
the meantime and names the rule that now decides.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

from django.urls import reverse

from safecontact.contact.models import Delivery, Message
from safecontact.contact.services import (
    deliver_due,
    receive_inbound,
    release_message,
)
from safecontact.contact.tests.conftest import LONDON, make_family
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.groups.tests.factories import GroupMemberFactory
from safecontact.ledger.models import LedgerEntry
from safecontact.people.services import (
    end_worker_role,
    update_person,
    withdraw_consent,
)
from safecontact.people.tests.factories import (
    ParentFactory,
    RelationshipFactory,
    VettingCheckFactory,
    WorkerFactory,
)

TUESDAY_10PM = dt.datetime(2026, 3, 10, 22, 0, tzinfo=LONDON)
WEDNESDAY_8_30AM = dt.datetime(2026, 3, 11, 8, 30, tzinfo=LONDON)
SECRET = "Don't tell your mum about this, it's our secret. Add me on snapchat."


def _deferred(traveller, worker, to, **kw):
    """A message written after hours: it waits for Wednesday morning."""
    traveller.move_to(TUESDAY_10PM)
    message = send(worker, to, **kw)
    assert message.status == Message.Status.DEFERRED, message.reasons
    return message


def _leave_on_wednesday(traveller, message):
    traveller.move_to(WEDNESDAY_8_30AM)
    counts = deliver_due()
    message.refresh_from_db()
    return counts


def _recheck_entry(message):
    return LedgerEntry.objects.filter(
        kind="message.rechecked", content__message=str(message.code)
    ).get()


def _assert_stopped(message, smtp, rule_id):
    delivery = message.deliveries.get()
    assert message.status == Message.Status.STOPPED
    assert delivery.status == Delivery.Status.STOPPED
    assert delivery.last_error == message.stopped_reason
    assert message.stopped_reason.startswith("Stopped: ")
    assert not smtp.mailbox.received
    entry = _recheck_entry(message)
    assert entry.content["stopped"] is True
    assert rule_id in entry.content["stopped_by"]
    assert entry.content["before"]["outcome"] == "defer"
    assert entry.content["after"]["outcome"] == "block"
    assert rule_id in [r["rule_id"] for r in message.recheck["stopped_by"]]


def test_consent_withdrawn_while_deferred_stops_it_consent_current(
    _tuesday_morning, worker, sender, family, smtp, lead
):
    message = _deferred(_tuesday_morning, worker, [family.child])
    withdraw_consent(
        actor=lead,
        subject=family.child,
        evidence="verbal",
        evidence_date=dt.date(2026, 3, 3),
    )
    counts = _leave_on_wednesday(_tuesday_morning, message)
    assert counts["stopped"] == 1 and counts["sent"] == 0
    _assert_stopped(message, smtp, "consent.current")
    assert message.stopped_reason == (
        f"Stopped: consent for {family.child} to be contacted was withdrawn "
        "on 3 March 2026."
    )
    assert lead.inbox_items.filter(message=message).exists()


def test_a_dbs_check_that_lapsed_while_deferred_stops_it_sender_cleared_children(
    _tuesday_morning, org, worker, family, smtp
):
    me = WorkerFactory.create(organisation=org, user=worker, vetting="missing")
    # Renewal falls due three years on: current through Tuesday, not Wednesday.
    VettingCheckFactory.create(person=me, certificate_date=dt.date(2023, 3, 10))
    message = _deferred(_tuesday_morning, worker, [family.child])
    _leave_on_wednesday(_tuesday_morning, message)
    _assert_stopped(message, smtp, "sender.cleared_children")
    assert "not cleared to contact children" in message.stopped_reason


def test_a_sender_who_left_while_deferred_is_stopped_sender_active(
    _tuesday_morning, worker, sender, family, smtp, lead
):
    message = _deferred(_tuesday_morning, worker, [family.child])
    end_worker_role(actor=lead, person=sender, end_date=dt.date(2026, 3, 10))
    _leave_on_wednesday(_tuesday_morning, message)
    _assert_stopped(message, smtp, "sender.active")


def test_an_unchecked_adult_who_joined_the_group_stops_it_group_uncleared_adult(
    _tuesday_morning, org, worker, sender, group, smtp
):
    message = _deferred(_tuesday_morning, worker, [], group=group)
    GroupMemberFactory.create(
        group=group, person=ParentFactory.create(organisation=org)
    )
    _leave_on_wednesday(_tuesday_morning, message)
    _assert_stopped(message, smtp, "group.uncleared_adult")


def test_a_child_who_turned_18_gets_it_as_written_child_no_one_to_one_lapses(
    _tuesday_morning, org, worker, sender, smtp
):
    """Looser today: the child rules stop, so it leaves as it was written,
    still copied to the parent, and the log shows the looser decision."""
    family = make_family(org)
    family.child.date_of_birth = dt.date(2008, 3, 11)  # 18 on Wednesday
    family.child.save()
    message = _deferred(_tuesday_morning, worker, [family.child])
    assert "child.no_one_to_one" in [r["rule_id"] for r in message.reasons]
    counts = _leave_on_wednesday(_tuesday_morning, message)
    assert counts["sent"] == 1
    assert message.status == Message.Status.SENT
    mail = smtp.mailbox.received[-1].message
    assert family.parent.email in str(mail["Cc"])
    entry = _recheck_entry(message)
    assert entry.content["stopped"] is False
    assert "child.no_one_to_one" in entry.content["before"]["rules"]
    assert "child.no_one_to_one" not in entry.content["after"]["rules"]


def test_a_retry_is_checked_again_too_consent_current(
    worker, sender, family, smtp, lead
):
    smtp.stop()
    message = send(worker, [family.child])
    assert deliver_due()["retry"] == 1
    withdraw_consent(
        actor=lead,
        subject=family.child,
        evidence="verbal",
        evidence_date=dt.date(2026, 3, 10),
    )
    smtp.start()
    later = dt.datetime.now(tz=LONDON) + dt.timedelta(minutes=5)
    assert deliver_due(now=later)["stopped"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.STOPPED
    assert not smtp.mailbox.received
    assert _recheck_entry(message).content["before"]["outcome"] != "block"


def test_a_retry_outside_agreed_hours_waits_again_hours_agreed(
    _tuesday_morning, worker, sender, family, smtp
):
    smtp.stop()
    message = send(worker, [family.child])
    assert deliver_due()["retry"] == 1
    smtp.start()
    _tuesday_morning.move_to(TUESDAY_10PM)
    assert deliver_due()["stopped"] == 1
    message.refresh_from_db()
    delivery = message.deliveries.get()
    assert message.status == Message.Status.DEFERRED
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=LONDON)
    assert "hours.agreed" in _recheck_entry(message).content["after"]["rules"]
    _tuesday_morning.move_to(WEDNESDAY_8_30AM)
    assert deliver_due()["sent"] == 1


def test_the_lead_releasing_a_held_message_that_now_fails_stops_it_consent_current(
    client_for, worker, sender, family, smtp, lead
):
    message = send(worker, [family.child], body=SECRET)
    assert message.status == Message.Status.HELD
    withdraw_consent(
        actor=lead,
        subject=family.child,
        evidence="verbal",
        evidence_date=dt.date(2026, 3, 10),
    )
    url = reverse("contact:release", args=[message.code])
    page = client_for(lead).post(url, {"note": "Fine to send."}, follow=True)
    assert page.status_code == HTTPStatus.OK
    message.refresh_from_db()
    assert message.status == Message.Status.STOPPED
    assert not message.deliveries.exists()
    assert message.stopped_reason in page.content.decode()
    kinds = list(
        LedgerEntry.objects.filter(content__message=str(message.code))
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["message.attempt", "message.released", "message.rechecked"]
    assert "consent.current" in _recheck_entry(message).content["stopped_by"]
    assert deliver_due()["sent"] == 0 and not smtp.mailbox.received


def test_the_lead_releasing_a_held_message_still_allowed_queues_it(
    worker, sender, family, smtp, lead
):
    message = send(worker, [family.child], body=SECRET)
    release_message(actor=lead, message=message)
    assert message.status == Message.Status.QUEUED
    assert deliver_due()["sent"] == 1


def test_the_sender_and_the_lead_see_why_it_stopped(
    _tuesday_morning, client_for, worker, sender, family, smtp, lead
):
    message = _deferred(_tuesday_morning, worker, [family.child])
    withdraw_consent(
        actor=lead,
        subject=family.child,
        evidence="verbal",
        evidence_date=dt.date(2026, 3, 3),
    )
    _leave_on_wednesday(_tuesday_morning, message)
    reason = message.stopped_reason.replace("'", "&#x27;")
    for user, name in [
        (worker, "contact:sent"),
        (worker, "contact:detail"),
        (lead, "contact:held"),
        (lead, "contact:outbox"),
    ]:
        args = [message.code] if name == "contact:detail" else []
        html = client_for(user).get(reverse(name, args=args)).content.decode()
        assert reason in html, name
        assert "consent.current" not in html
    detail = client_for(worker).get(message.get_absolute_url()).content.decode()
    assert "Checked again before it left" in detail


def test_a_replys_copy_stops_when_nobody_can_be_copied_reply_no_one_to_one(
    worker, sender, family, smtp, lead
):
    send(worker, [family.child])
    deliver_due()
    raw = reply_to(smtp.mailbox.received[-1], family.child.email, "Thanks!")
    reply = receive_inbound(raw).message
    copy = reply.deliveries.get(kind="copy")
    # The only carer can no longer be emailed, and the only other cleared
    # adult is the worker the reply is to.
    update_person(actor=lead, person=family.parent, email="")
    assert deliver_due()["stopped"] == 1
    reply.refresh_from_db()
    copy.refresh_from_db()
    assert copy.status == Delivery.Status.STOPPED
    assert reply.status == Message.Status.STOPPED
    assert "reply.no_one_to_one" in _recheck_entry(reply).content["stopped_by"]
    assert len(smtp.mailbox.received) == 1  # only the first message


def test_a_copy_that_can_no_longer_be_made_stops_it_child_no_one_to_one(
    _tuesday_morning, org, worker, sender, family, smtp, lead
):
    """Two parents: the one copied in can no longer be emailed. Today's rules
    would copy the other one, but the stored message does not go to them, so
    it must not leave one-to-one."""
    RelationshipFactory.create(
        person=family.child, carer=ParentFactory.create(organisation=org)
    )
    message = _deferred(_tuesday_morning, worker, [family.child])
    copied = message.recipient_rows.get(added_by_rule="child.no_one_to_one")
    update_person(actor=lead, person=copied.person, email="")
    _leave_on_wednesday(_tuesday_morning, message)
    assert message.status == Message.Status.STOPPED
    entry = _recheck_entry(message)
    assert entry.content["stopped_by"] == ["child.no_one_to_one"]
    assert entry.content["after"]["outcome"] == "allow_with_changes"
    assert "can no longer be copied" in message.stopped_reason
    assert not smtp.mailbox.received
