"""Notification emails are kept for the organisation's period, then purged
(``purge_notifications``), like the other records with a retention period."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import MIN_NOTIFICATION_DAYS, NOTIFICATION_DAYS
from safecontact.accounts.tests.test_settings_page import settings_form
from safecontact.audittrail.models import AuditEntry
from safecontact.conftest import login
from safecontact.notifications.models import Notification
from safecontact.notifications.scheduled import REMIND_DAYS, run_scheduled
from safecontact.notifications.services import (
    PURGE_BATCH,
    PURGE_JOB,
    purge_notifications,
)
from safecontact.people.models import Training
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
Kind, Status = Notification.Kind, Notification.Status


def _made(recipient: Any, org: Any, days_ago: int, **fields: Any) -> Notification:
    created = timezone.now() - dt.timedelta(days=days_ago)
    defaults: dict[str, Any] = {
        "organisation": org,
        "recipient": recipient,
        "kind": Kind.HELD,
        "key": f"test:{Notification.objects.count()}",
        "link": "/",
        "status": Status.SENT,
        "created_at": created,
        "next_attempt_at": created,
    }
    return Notification.objects.create(**(defaults | fields))


def test_finished_notifications_past_the_period_are_purged(
    org, other_org, lead, make_user
):
    days = org.notification_retention_days
    old = days + 1
    gone = [
        _made(lead, org, old),
        _made(lead, org, old, status=Status.DIGESTED),
        _made(
            lead,
            org,
            old,
            status=Status.FAILED,
            kind=Kind.INVITATION,
            secret="/accounts/invitation/abc/",
        ),
    ]
    kept = [
        _made(lead, org, days - 1),  # inside the period
        _made(lead, org, old, status=Status.PENDING),  # still to send
        _made(lead, org, old, status=Status.WAITING),  # waits for a digest
        _made(lead, org, old, status=Status.SENDING),
    ]
    other_org.notification_retention_days = 365
    other_org.save()
    other = make_user("lead", other_org)
    kept.append(_made(other, other_org, old))  # their period is longer

    assert purge_notifications() == {org.name: 3}  # a dry run deletes nothing
    assert Notification.objects.count() == len(gone) + len(kept)
    assert purge_notifications(apply=True) == {org.name: 3}
    assert set(Notification.objects.all()) == set(kept)
    assert purge_notifications(apply=True) == {}  # running it again does nothing


def test_a_superusers_password_resets_keep_the_default_period(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org")
    _made(admin, None, NOTIFICATION_DAYS - 1, kind=Kind.PASSWORD_RESET)
    _made(admin, None, NOTIFICATION_DAYS + 1, kind=Kind.PASSWORD_RESET)
    assert purge_notifications(apply=True) == {"": 1}
    assert Notification.objects.count() == 1


def test_the_newest_attention_email_is_kept_so_nothing_is_told_twice(
    org, lead, smtp, _tuesday_morning
):
    WorkerFactory.create(organisation=org, training="missing")
    run_scheduled()
    assert lead.notifications.filter(kind=Kind.ATTENTION).count() == 1
    _tuesday_morning.shift(dt.timedelta(days=NOTIFICATION_DAYS + 10))
    WorkerFactory.create(organisation=org, vetting="missing")
    run_scheduled()  # a new item: a second attention email
    assert lead.notifications.filter(kind=Kind.ATTENTION).count() == 2
    _tuesday_morning.shift(dt.timedelta(days=NOTIFICATION_DAYS + 10))
    assert sum(purge_notifications(apply=True).values()) == 1  # the older one
    run_scheduled()  # nothing new since the one kept
    assert lead.notifications.filter(kind=Kind.ATTENTION).count() == 1
    assert len(smtp.mailbox.for_address(lead.email)) == 2


def test_a_reminder_outlives_the_days_it_could_be_sent_again(
    org, worker, lead, smtp, _tuesday_morning
):
    assert MIN_NOTIFICATION_DAYS > REMIND_DAYS
    person = WorkerFactory.create(organisation=org, user=worker)
    course = Training.objects.get(person=person)
    course.expires_on = dt.date(2026, 4, 9)  # 30 days after Tuesday 10 March
    course.save()
    org.notification_retention_days = MIN_NOTIFICATION_DAYS
    org.save()
    run_scheduled()
    assert worker.notifications.filter(kind=Kind.RENEWAL).count() == 1
    # The last day it could be queued again, then the first day it is purged.
    for shift in (REMIND_DAYS, MIN_NOTIFICATION_DAYS + 1 - REMIND_DAYS):
        _tuesday_morning.shift(dt.timedelta(days=shift))
        purge_notifications(apply=True)
        run_scheduled()
    assert not worker.notifications.filter(kind=Kind.RENEWAL).exists()  # purged
    assert len(smtp.mailbox.for_address(worker.email)) == 1


def test_the_command_lists_then_deletes(org, lead, capsys):
    _made(lead, org, org.notification_retention_days + 1)
    call_command("purge_notifications")
    out = capsys.readouterr().out
    assert f"Would delete 1 of {org.name}." in out
    assert "Dry run" in out
    assert Notification.objects.count() == 1
    call_command("purge_notifications", "--apply")
    assert "Deleted 1 notification(s)." in capsys.readouterr().out
    assert not Notification.objects.exists()


def test_the_lead_sets_the_period_on_the_settings_page_and_it_is_audited(
    client, lead, org
):
    login(client, lead)
    page = client.get(reverse("accounts:settings"))
    assert "Keep notification emails for (days)" in page.content.decode()
    response = client.post(
        reverse("accounts:settings"),
        settings_form(org, notification_retention_days=45),
    )
    assert response.status_code == HTTPStatus.FOUND
    org.refresh_from_db()
    assert org.notification_retention_days == 45
    entry = AuditEntry.objects.get(model="accounts.organisation", action="update")
    assert entry.before is not None and entry.after is not None
    assert (
        entry.before["notification_retention_days"],
        entry.after["notification_retention_days"],
    ) == (NOTIFICATION_DAYS, 45)
    old = _made(lead, org, 46)
    assert purge_notifications(apply=True) == {org.name: 1}
    assert not Notification.objects.filter(pk=old.pk).exists()


def test_each_purge_run_is_on_the_audit_trail_once_per_organisation(
    client_for, org, other_org, lead, make_user
):
    other = make_user("lead", other_org)
    for _ in range(PURGE_BATCH + 1):  # two batches: an entry for each
        _made(lead, org, org.notification_retention_days + 1)
    _made(other, other_org, other_org.notification_retention_days + 1)
    purges = AuditEntry.objects.filter(action="delete", model="accounts.organisation")
    call_command("purge_notifications")
    assert not purges.exists()  # a dry run changes nothing
    call_command("purge_notifications", "--apply")
    first, second = purges.filter(organisation=org).order_by("id")
    assert first.actor is None
    assert first.actor_label == f"system ({PURGE_JOB})"
    days = org.notification_retention_days
    assert first.before == {
        "old_notification_emails": PURGE_BATCH + 1,
        "kept_days": days,
    }
    assert first.after == {"old_notification_emails": 1, "kept_days": days}
    assert second.before == {"old_notification_emails": 1, "kept_days": days}
    assert second.after == {"old_notification_emails": 0, "kept_days": days}
    other_entry = purges.get(organisation=other_org)
    assert other_entry.before == {
        "old_notification_emails": 1,
        "kept_days": other_org.notification_retention_days,
    }
    call_command("purge_notifications", "--apply")
    assert purges.count() == 3  # nothing more to delete, nothing recorded
    html = client_for(lead).get(reverse("people:audit")).content.decode()
    assert f"system ({PURGE_JOB}) removed" in html
    assert f"Old notification emails: {PURGE_BATCH + 1} → 1" in html
    assert "Old notification emails: 1 → 0" in html


def test_a_purge_stopped_after_one_batch_leaves_that_batch_recorded(
    org, lead, monkeypatch
):
    from safecontact.notifications import services

    for _ in range(3):
        _made(lead, org, org.notification_retention_days + 1)
    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    written: list[object] = []
    record = services.record_change

    def stop_at_the_second(**kwargs):
        if written:
            raise RuntimeError("stopped")  # as a crash inside the second batch
        written.append(record(**kwargs))

    monkeypatch.setattr(services, "record_change", stop_at_the_second)
    with pytest.raises(RuntimeError):
        purge_notifications(apply=True)
    # The first batch is gone and recorded; the second was never deleted.
    assert Notification.objects.filter(organisation=org).count() == 1
    entry = AuditEntry.objects.get(action="delete", model="accounts.organisation")
    assert entry.before is not None and entry.after is not None
    assert entry.before["old_notification_emails"] == 3
    assert entry.after["old_notification_emails"] == 1
