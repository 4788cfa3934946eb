"""The Lead releases or rejects held messages and handles alerts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safecontact.audittrail.models import AuditEntry
from safecontact.contact.models import Alert, Message
from safecontact.contact.services import handle_alert, reject_message, release_message
from safecontact.contact.tests.smtp import send
from safecontact.ledger.models import LedgerEntry

WORRYING = "Keep this our secret and don't tell your mum. Add me on snapchat."


@pytest.fixture
def held(worker, sender, family):
    message = send(worker, [family.child], body=WORRYING)
    assert message.status == Message.Status.HELD
    return message


def test_releasing_a_held_message_queues_it(held, lead):
    release_message(actor=lead, message=held, note="Checked with the worker")
    held.refresh_from_db()
    assert held.status == Message.Status.QUEUED and held.reviewed_by == lead
    assert held.deliveries.count() == 1
    assert LedgerEntry.objects.filter(kind="message.released").exists()
    assert AuditEntry.objects.filter(object_code=str(held.code)).exists()
    assert held.alerts.get().status == Alert.Status.ACKNOWLEDGED


def test_rejecting_needs_a_reason_and_never_sends(held, lead):
    with pytest.raises(ValidationError):
        reject_message(actor=lead, message=held, note=" ")
    reject_message(actor=lead, message=held, note="Not appropriate")
    held.refresh_from_db()
    assert held.status == Message.Status.REJECTED
    assert not held.deliveries.exists()
    assert LedgerEntry.objects.filter(kind="message.rejected").exists()


def test_a_worker_cannot_release(held, worker):
    with pytest.raises(PermissionDenied):
        release_message(actor=worker, message=held)


def test_a_message_is_released_only_once(held, lead):
    release_message(actor=lead, message=held)
    with pytest.raises(ValidationError):
        release_message(actor=lead, message=held)


def test_the_lead_escalates_an_alert(held, lead):
    alert = handle_alert(
        actor=lead, alert=held.alerts.get(), status="escalated", note="Concern raised"
    )
    assert alert.status == Alert.Status.ESCALATED and alert.handled_by == lead
