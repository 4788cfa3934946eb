"""Who may see which messages, and the Lead's queues."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from safecontact.accounts.models import User
from safecontact.contact.models import Alert, Delivery, InboundMessage, Message
from safecontact.contact.services.inputs import ANY_WORKER
from safecontact.groups.models import Group
from safecontact.groups.selectors import visible_groups
from safecontact.ledger.models import LedgerEntry
from safecontact.people.models import Consent, Person, Relationship
from safecontact.people.selectors import visible_people

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


def stopped_messages(organisation: Any, limit: int = 20) -> list[Message]:
    """The newest messages a re-check stopped as they were leaving."""
    found = Message.objects.filter(
        organisation=organisation, status=Message.Status.STOPPED
    ).select_related("sender")
    return list(found[:limit])


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


def contactable_people(user: User) -> QuerySet[Person]:
    """Who ``user`` may pick as a recipient: everyone but workers for the Lead,
    deputy and trustees. For a worker: the people in their groups, those
    people's parents and carers, and anyone whose consent names the worker
    or their role. The rules still decide each message; this keeps the rest
    of the register out of a worker's sight."""
    people = visible_people(user).exclude(kind=Person.Kind.WORKER)
    if user.is_oversight:
        return people
    carers = Relationship.objects.filter(person__in=people).values("carer_id")
    everyone = Person.objects.filter(
        Q(pk__in=people.values("pk")) | Q(pk__in=carers) | Q(pk__in=_consented_to(user))
    )
    return everyone.exclude(kind=Person.Kind.WORKER).order_by("last_name", "first_name")


def _consented_to(user: User) -> list[int]:
    """Subjects of consent records that name this worker or their role."""
    worker = Person.objects.filter(user=user).select_related("worker").first()
    if worker is None:
        return []
    role = getattr(getattr(worker, "worker", None), "role_title", "")
    named = set(
        Consent.allowed_workers.through.objects.filter(person=worker).values_list(
            "consent__subject_id", flat=True
        )
    )
    rows = Consent.objects.filter(
        organisation_id=worker.organisation_id, status=Consent.Status.GIVEN
    ).values_list("subject_id", "allowed_roles")
    by_role = {
        s for s, roles in rows if ANY_WORKER in roles or (role and role in roles)
    }
    return sorted(named | by_role)


def contactable_groups(user: User) -> QuerySet[Group]:
    return visible_groups(user).filter(archived_at__isnull=True)


def log_entry_for(message: Message) -> LedgerEntry | None:
    """The contact-log entry that recorded this message first."""
    return (
        LedgerEntry.objects.filter(
            organisation_id=message.organisation_id, content__message=str(message.code)
        )
        .order_by("seq")
        .first()
    )
