"""Who is told, and the counts behind the Lead's queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse

from safecontact.accounts.models import Organisation, User
from safecontact.notifications.models import Notification, Preference


def leads(organisation: Organisation) -> QuerySet[User]:
    """The active Lead and deputies: everyone told about the queues."""
    return User.objects.filter(
        organisation=organisation,
        role__in=(User.Role.LEAD, User.Role.DEPUTY),
        is_active=True,
    )


def wants_daily(users: list[User]) -> set[int]:
    """Ids of ``users`` who chose a daily digest (one query)."""
    return set(
        Preference.objects.filter(
            user__in=users, delivery=Preference.Delivery.DAILY
        ).values_list("user_id", flat=True)
    )


def visible_notifications(user: User) -> QuerySet[Notification]:
    """Emails to people in ``user``'s organisation, except another person's
    email about a concern (it could tell of a concern about ``user``)."""
    concern_for_others = Q(kind=Notification.Kind.CONCERN) & ~Q(recipient=user)
    return Notification.objects.filter(organisation=user.organisation).exclude(
        concern_for_others
    )


def failed_notifications(user: User) -> QuerySet[Notification]:
    """Emails that could not be delivered after their retries, newest first."""
    return (
        visible_notifications(user)
        .filter(status=Notification.Status.FAILED)
        .select_related("recipient")
        .order_by("-next_attempt_at", "-id")
    )


def retrying_count(user: User) -> int:
    """Emails that failed at least once and will be tried again by themselves."""
    return (
        visible_notifications(user)
        .filter(status=Notification.Status.PENDING, attempts__gt=0)
        .count()
    )


def preference_for(user: User) -> str:
    found = Preference.objects.filter(user=user).values_list("delivery", flat=True)
    return found.first() or Preference.Delivery.IMMEDIATE


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str


def queue_counts(user: User, attention_items: int | None = None) -> list[Queue]:
    """The Lead's queues with counts and links; empty for anyone else.

    ``attention_items``: the attention list's count if already known (the
    dashboard's figures hold it); counted now otherwise.
    """
    # Imported here: these apps import notifications.services for their hooks.
    from safecontact.concerns.models import Case
    from safecontact.concerns.selectors import visible_cases
    from safecontact.contact.models import Alert, Message
    from safecontact.lib.dates import org_today
    from safecontact.people.selectors import attention

    if not user.is_lead or user.organisation is None:
        return []
    org = user.organisation
    held = Message.objects.filter(organisation=org, status=Message.Status.HELD)
    alerts = Alert.objects.filter(organisation=org, status=Alert.Status.OPEN)
    # Only cases this person may open: a case about the Lead is not counted.
    cases = visible_cases(user).filter(status=Case.Status.NEW)
    failed = failed_notifications(user).count()
    return [
        *(
            [
                Queue(
                    "Emails that could not be sent",
                    failed,
                    reverse("notifications:failures"),
                )
            ]
            if failed
            else []
        ),
        Queue("Held messages", held.count(), reverse("contact:held")),
        Queue("Open alerts", alerts.count(), reverse("contact:alerts")),
        Queue("Concerns not yet triaged", cases.count(), reverse("concerns:list")),
        Queue(
            "Attention list",
            attention.total(org, org_today(org))
            if attention_items is None
            else attention_items,
            reverse("people:attention"),
        ),
    ]
