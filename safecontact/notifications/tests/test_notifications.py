"""Emails that say only that something needs you, through a durable queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safecontact.concerns.tests.factories import make_case
from safecontact.contact.models import InboundMessage, Message
from safecontact.contact.services import (
    deliver_due,
    receive_inbound,
    reject_message,
    release_message,
)
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.notifications.models import Notification
from safecontact.notifications.scheduled import run_scheduled
from safecontact.notifications.services import send_due, set_preference

pytestmark = pytest.mark.django_db

WORRYING = "Keep this our secret and don't tell your mum. Add me on snapchat."
Kind = Notification.Kind


@pytest.fixture
def held(worker, sender, family, lead, deputy):
    message = send(worker, [family.child], body=WORRYING, subject="Camp plans")
    assert message.status == Message.Status.HELD
    return message


def _kinds(user):
    return sorted(user.notifications.values_list("kind", flat=True))


def test_a_held_message_emails_the_lead_and_deputy_a_link_and_nothing_else(
    held, lead, deputy, worker, sender, family, smtp, org
):
    assert _kinds(lead) == [Kind.ALERT, Kind.HELD]
    assert send_due()["sent"] == 4
    mails = smtp.mailbox.for_address(lead.email)
    assert len(mails) == 2
    said = {m.message["Subject"] for m in mails}
    assert said == {
        "A message is waiting for your review",
        "A safeguarding alert needs your attention",
    }
    everything = "".join(
        str(r.message["Subject"]) + r.message.get_content()
        for r in smtp.mailbox.received
    )
    assert held.get_absolute_url() in everything
    # No names, no content: not the child, the parent, the worker or the words.
    for secret in (
        family.child.first_name,
        family.child.last_name,
        family.parent.last_name,
        sender.first_name,
        sender.last_name,
        lead.first_name,
        "Camp plans",
        "secret",
        "snapchat",
        family.child.email,
    ):
        assert secret not in everything, secret
    assert not smtp.mailbox.for_address(worker.email)


def test_a_job_run_twice_sends_nothing_twice(held, lead, smtp):
    assert send_due()["sent"] == 4
    assert send_due()["sent"] == 0
    run_scheduled()
    run_scheduled()
    assert len(smtp.mailbox.for_address(lead.email)) == 2


def test_the_same_event_queues_once_per_person_and_day(held, lead):
    from safecontact.notifications.services import message_held

    message_held(held)
    message_held(held)
    assert lead.notifications.filter(kind=Kind.HELD).count() == 1


def test_a_mail_server_that_is_down_loses_nothing(held, lead, smtp):
    smtp.stop()
    counts = send_due()
    assert counts["retry"] == 1 and counts["sent"] == 0
    first = Notification.objects.get(attempts=1)
    assert first.status == Notification.Status.PENDING
    assert first.last_error == "The mail server could not be reached."
    smtp.start()
    later = timezone.now() + dt.timedelta(minutes=5)
    assert send_due(now=later)["sent"] == 4
    assert send_due(now=later)["sent"] == 0
    assert len(smtp.mailbox.for_address(lead.email)) == 2


def test_a_lead_who_chose_daily_gets_one_digest(worker, sender, family, lead, smtp):
    set_preference(actor=lead, delivery="daily")
    message = send(worker, [family.child], body=WORRYING)
    assert set(
        lead.notifications.filter(status=Notification.Status.WAITING).values_list(
            "kind", flat=True
        )
    ) == {Kind.HELD, Kind.ALERT}
    assert send_due()["sent"] == 0
    run_scheduled()
    run_scheduled()
    [mail] = smtp.mailbox.for_address(lead.email)
    body = mail.message.get_content()
    assert mail.message["Subject"] == "Things that need you in SafeContact today"
    assert "A message has been held" in body and "scanner has raised" in body
    assert message.get_absolute_url() not in body  # the digest links home


def test_a_new_concern_is_emailed_at_once_even_to_a_daily_lead(
    org, lead, deputy, smtp, django_capture_on_commit_callbacks
):
    set_preference(actor=lead, delivery="daily")
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(org)
    [mail] = smtp.mailbox.for_address(lead.email)
    assert mail.message["Subject"] == "A safeguarding concern needs your attention"
    assert case.get_absolute_url() in mail.message.get_content()
    assert case.narrative not in mail.data.decode()
    assert len(smtp.mailbox.for_address(deputy.email)) == 1


def test_the_worker_is_told_when_their_held_message_is_released(
    held, lead, worker, smtp
):
    release_message(actor=lead, message=held, note="Fine")
    send_due()
    [mail] = smtp.mailbox.for_address(worker.email)
    assert mail.message["Subject"] == "News about a message you wrote"
    assert held.get_absolute_url() in mail.message.get_content()
    assert "Fine" not in mail.message.get_content()


def test_the_worker_is_told_when_their_held_message_is_rejected(
    held, lead, worker, smtp
):
    reject_message(actor=lead, message=held, note="Not appropriate")
    send_due()
    assert len(smtp.mailbox.for_address(worker.email)) == 1


def test_the_worker_is_told_when_a_recheck_stops_their_released_message(
    held, lead, worker, family, smtp
):
    family.consent.status = "withdrawn"
    family.consent.save()
    release_message(actor=lead, message=held)
    held.refresh_from_db()
    assert held.status == Message.Status.STOPPED
    assert worker.notifications.filter(kind=Kind.REVIEWED).count() == 1


def test_quarantined_mail_tells_the_lead(worker, sender, family, lead, smtp, org):
    send(worker, [family.child])
    deliver_due()
    raw = reply_to(smtp.mailbox.received[-1], "stranger@example.net", "hi")
    record = receive_inbound(raw)
    assert record.status == InboundMessage.Status.QUARANTINED
    assert _kinds(lead) == [Kind.QUARANTINE]


def test_an_urgent_send_outside_agreed_hours_tells_the_lead_at_once(
    worker, sender, family, lead, smtp, _tuesday_morning
):
    set_preference(actor=lead, delivery="daily")
    _tuesday_morning.move_to(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC))
    message = send(worker, [family.child], urgent_reason="Camp coach cancelled")
    assert message.status != Message.Status.HELD
    row = lead.notifications.get(kind=Kind.URGENT)
    assert row.status == Notification.Status.PENDING


def test_a_preference_must_be_one_of_the_choices(lead):
    with pytest.raises(ValidationError):
        set_preference(actor=lead, delivery="hourly")
