"""Who may see which messages, and the Lead's queues."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from safecontact.accounts.models import User
from safecontact.contact.models import Alert, Delivery, InboundMessage, Message

SENDERS = ("lead", "deputy", "worker")


def visible_messages(user: User) -> QuerySet[Message]:
    """Leads and deputies see every message; workers their own and their inbox.

    Trustees see counts only (``status_counts``), never messages.
    """
    messages = Message.objects.filter(organisation=user.organisation)
    if user.is_lead:
        return messages
    if user.role != User.Role.WORKER:
        return messages.none()
    return messages.filter(Q(author=user) | Q(inbox_items__user=user)).distinct()


def message_for(user: User, code: Any) -> Message:
    """The message if ``user`` may see it; 404 otherwise (other organisations too)."""
    found = (
        visible_messages(user)
        .select_related("sender", "author", "group", "in_reply_to", "organisation")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise Http404
    return found


def status_counts(organisation: Any) -> dict[str, int]:
    rows = (
        Message.objects.filter(organisation=organisation)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Message.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def held_messages(organisation: Any) -> QuerySet[Message]:
    return Message.objects.filter(
        organisation=organisation, status=Message.Status.HELD
    ).select_related("sender", "author")


def alerts(organisation: Any, status: str = "") -> QuerySet[Alert]:
    found = Alert.objects.filter(organisation=organisation).select_related(
        "message__sender", "ledger_entry"
    )
    return found.filter(status=status) if status else found


def outbox(organisation: Any) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(organisation=organisation)
        .exclude(status=Delivery.Status.SENT)
        .select_related("message")
        .order_by("next_attempt_at", "id")
    )


def quarantine(organisation: Any) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(
        organisation=organisation, status=InboundMessage.Status.QUARANTINED
    )
