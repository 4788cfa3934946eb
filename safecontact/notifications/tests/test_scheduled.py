"""run_scheduled: reminders, the attention digest and digests, idempotent."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.notifications.models import Notification
from safecontact.notifications.scheduled import run_scheduled
from safecontact.notifications.selectors import queue_counts
from safecontact.notifications.services import set_preference
from safecontact.people.models import Training
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def expiring(org, worker, lead):
    """The worker's training expires in exactly 30 days."""
    person = WorkerFactory.create(organisation=org, user=worker)
    course = Training.objects.get(person=person)
    course.expires_on = dt.date(2026, 4, 9)  # 30 days after Tuesday 10 March
    course.save()
    return person


def test_the_worker_and_the_lead_are_reminded_30_days_before_training_expires(
    expiring, worker, lead, smtp
):
    run_scheduled()
    run_scheduled()
    assert worker.notifications.filter(kind=Kind.RENEWAL).count() == 1
    assert lead.notifications.filter(kind=Kind.RENEWAL).count() == 1
    [mail] = smtp.mailbox.for_address(worker.email)
    assert mail.message["Subject"] == "A DBS check or training is due for renewal"
    assert expiring.first_name not in mail.message.get_content()


def test_a_reminder_is_sent_once_per_expiry_not_every_day(
    expiring, worker, smtp, _tuesday_morning
):
    run_scheduled()
    _tuesday_morning.shift(dt.timedelta(days=1))
    run_scheduled()
    assert worker.notifications.filter(kind=Kind.RENEWAL).count() == 1


def test_no_reminder_while_the_expiry_is_far_off(org, worker, lead, smtp):
    WorkerFactory.create(organisation=org, user=worker)
    run_scheduled()
    assert not Notification.objects.filter(kind=Kind.RENEWAL).exists()


def test_the_attention_digest_tells_of_new_items_once(
    org, lead, smtp, _tuesday_morning
):
    WorkerFactory.create(organisation=org, training="missing")
    run_scheduled()
    run_scheduled()
    assert lead.notifications.filter(kind=Kind.ATTENTION).count() == 1
    _tuesday_morning.shift(dt.timedelta(days=1))
    run_scheduled()  # nothing new since yesterday
    assert lead.notifications.filter(kind=Kind.ATTENTION).count() == 1
    WorkerFactory.create(organisation=org, vetting="missing")
    run_scheduled()
    assert lead.notifications.filter(kind=Kind.ATTENTION).count() == 2
    assert len(smtp.mailbox.for_address(lead.email)) == 2


def test_digests_wait_for_the_morning(org, lead, smtp):
    from safecontact.notifications.services import set_preference

    set_preference(actor=lead, delivery="daily")
    WorkerFactory.create(organisation=org, training="missing")
    with time_machine.travel(dt.datetime(2026, 3, 11, 5, 0, tzinfo=dt.UTC)):
        run_scheduled()
        assert not smtp.mailbox.received
    with time_machine.travel(dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)):
        run_scheduled()
        [mail] = smtp.mailbox.for_address(lead.email)
    assert "attention list" in mail.message.get_content()


def test_the_command_applies_leavers_and_says_what_it_did(
    org, lead, worker, smtp, capsys
):
    WorkerFactory.create(organisation=org, user=worker, left=True)
    call_command("run_scheduled")
    out = capsys.readouterr().out
    assert "leavers: 1" in out
    call_command("run_scheduled")
    assert "leavers: 0" in capsys.readouterr().out
    worker.refresh_from_db()
    assert not worker.is_active


def test_the_lead_sees_queue_counts_and_a_worker_none(org, lead, worker, smtp):
    WorkerFactory.create(organisation=org, training="missing")
    queues = {q.label: q.count for q in queue_counts(lead)}
    assert queues["Attention list"] >= 1
    assert queues["Held messages"] == 0
    assert queue_counts(worker) == []


def test_the_preferences_page_saves_a_choice(client_for, lead, worker):
    client = client_for(lead)
    url = reverse("notifications:preferences")
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert "held messages" in page.content.decode()
    assert client.post(url, {"delivery": "daily"}).status_code == HTTPStatus.FOUND
    assert lead.notification_preference.delivery == "daily"
    bad = client.post(url, {"delivery": "hourly"})
    assert bad.status_code == HTTPStatus.OK
    assert "Select a valid choice" in bad.content.decode()
    assert client_for(worker).get(url).status_code == HTTPStatus.OK


def test_a_changed_preference_is_audited_as_made_then_changed(org, lead):
    set_preference(actor=lead, delivery="daily")
    set_preference(actor=lead, delivery="immediate")
    made, changed = AuditEntry.objects.filter(
        model="notifications.preference"
    ).order_by("id")
    assert (made.action, made.before, (made.after or {})["delivery"]) == (
        "create",
        None,
        "daily",
    )
    assert (changed.before or {})["delivery"] == "daily"
    assert (changed.action, (changed.after or {})["delivery"]) == (
        "update",
        "immediate",
    )
    assert {made.organisation_id, changed.organisation_id} == {org.pk}


def test_the_preferences_page_needs_a_login(client):

    url = reverse("notifications:preferences")
    assert client.get(url).status_code == HTTPStatus.FOUND


def _dbs_renewal_set(org, worker, renewal_due: dt.date):
    """A DBS check issued a year ago whose renewal date was set by hand."""
    person = WorkerFactory.create(organisation=org, user=worker)
    check = person.vetting_checks.get()
    check.renewal_due = renewal_due
    check.save()
    return person


def test_a_dbs_reminder_honours_the_renewal_date_set_on_the_check(
    org, worker, lead, smtp
):
    # By the organisation's period (3 years) this check is two years off.
    _dbs_renewal_set(org, worker, dt.date(2026, 3, 30))
    run_scheduled()
    [reminder] = worker.notifications.filter(kind=Kind.RENEWAL)
    assert reminder.key.startswith(f"{Kind.RENEWAL}:dbs:")
    assert reminder.key.endswith(":2026-03-30:" + str(worker.pk))


def test_no_dbs_reminder_when_the_check_sets_a_later_renewal_date(
    org, worker, lead, smtp
):
    person = _dbs_renewal_set(org, worker, dt.date(2029, 1, 1))
    check = person.vetting_checks.get()
    # By the organisation's period alone it would be due in 20 days.
    check.certificate_date = dt.date(2023, 3, 30)
    check.save()
    run_scheduled()
    assert not Notification.objects.filter(kind=Kind.RENEWAL).exists()
