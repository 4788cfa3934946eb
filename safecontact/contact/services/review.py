"""The Safeguarding Lead's decisions on held messages and alerts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.contact.models import Alert, Message
from safecontact.contact.services.inbound import share_inbound
from safecontact.contact.services.recheck import Checked, recheck_message, stop
from safecontact.contact.services.sending import queue_deliveries, subjects_of
from safecontact.ledger.services import append_entry
from safecontact.notifications import services as notifications

MESSAGE_SNAPSHOT = {"body", "subject", "decision"}


def _require_lead(actor: User, organisation_id: int) -> None:
    if not actor.is_lead or actor.organisation_id != organisation_id:
        raise PermissionDenied("Only the Safeguarding Lead or a deputy can do this.")


def _review(
    actor: User, message: Message, action: str, note: str, *, stopped: bool = False
) -> Message:
    _require_lead(actor, message.organisation_id)
    if message.status != Message.Status.HELD:
        raise ValidationError("Only a held message can be released or rejected.")
    before = snapshot(message, exclude=MESSAGE_SNAPSHOT)
    now = timezone.now()
    if action == "release" and stopped:
        message.status = Message.Status.STOPPED  # the re-check says why
    elif action == "release":
        waits = message.deliver_at is not None and message.deliver_at > now
        message.status = Message.Status.DEFERRED if waits else Message.Status.QUEUED
    else:
        message.status = Message.Status.REJECTED
    message.reviewed_by, message.reviewed_at, message.review_note = actor, now, note
    save_and_record(
        actor=actor,
        organisation=message.organisation,
        obj=message,
        before=before,
        exclude=MESSAGE_SNAPSHOT,
        update_fields=["status", "reviewed_by", "reviewed_at", "review_note"],
    )
    append_entry(
        organisation=message.organisation,
        kind=f"message.{action}d" if action == "release" else "message.rejected",
        content={"message": str(message.code), "note": note, "status": message.status},
        subjects=subjects_of(message),
        actor=actor,
    )
    message.alerts.filter(status=Alert.Status.OPEN).update(
        status=Alert.Status.ACKNOWLEDGED, handled_by=actor, handled_at=now
    )
    notifications.message_reviewed(message)
    return message


def release_message(*, actor: User, message: Message, note: str = "") -> Message:
    """The Lead lets a held message go: it is queued (or waits for its hours).

    It is judged again first, with today's facts: when the rules now stop
    it (consent withdrawn since it was held, say), it is marked stopped with
    the reasons instead, and nothing leaves.
    """
    _require_lead(actor, message.organisation_id)
    checked = None
    if message.status == Message.Status.HELD:
        checked = recheck_message(message, now=timezone.now(), released=True)
    return _release(actor, message, note, checked)


@transaction.atomic(durable=True)
def _release(
    actor: User, message: Message, note: str, checked: Checked | None
) -> Message:
    stopped = checked is not None and checked.check.stopped
    message = _review(actor, message, "release", note.strip(), stopped=stopped)
    if checked is not None and stopped:
        stop(message, checked, actor=actor)
    elif message.direction == Message.Direction.INBOUND:
        share_inbound(message)
    else:
        queue_deliveries(message)
    return message


@transaction.atomic(durable=True)
def reject_message(*, actor: User, message: Message, note: str) -> Message:
    """The Lead stops a held message; it is never delivered. A reason is required."""
    if not note.strip():
        raise ValidationError({"note": "Say why the message is not being sent."})
    return _review(actor, message, "reject", note.strip())


@transaction.atomic(durable=True)
def handle_alert(*, actor: User, alert: Alert, status: str, note: str = "") -> Alert:
    """Acknowledge an alert, or mark it escalated (a concern was raised)."""
    _require_lead(actor, alert.organisation_id)
    if status not in (Alert.Status.ACKNOWLEDGED, Alert.Status.ESCALATED):
        raise ValidationError({"status": "Choose acknowledged or escalated."})
    before = snapshot(alert, exclude={"findings"})
    alert.status, alert.note = status, note.strip()
    alert.handled_by, alert.handled_at = actor, timezone.now()
    save_and_record(
        actor=actor,
        organisation=alert.organisation,
        obj=alert,
        before=before,
        exclude={"findings"},
        update_fields=["status", "note", "handled_by", "handled_at"],
    )

    return alert
