"""The day's scheduled work: reminders, the attention digest, digests, leavers.

Every step is idempotent (unique keys, conditional updates), so cron may run
``manage.py run_scheduled`` as often as it likes; once an hour is plenty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import Organisation
from safecontact.lib.dates import org_today, org_zone
from safecontact.notifications import selectors, services
from safecontact.notifications.models import Notification

Kind = Notification.Kind
Status = Notification.Status
REMIND_DAYS = 30
# Digests go out on the first run at or after this local hour, not at midnight.
DIGEST_HOUR = 7


def run_scheduled(*, now: dt.datetime | None = None) -> Counter[str]:
    """Everything cron runs, for every active organisation; returns counts."""
    from safecontact.people.services import apply_leavers

    now = now or timezone.now()
    counts: Counter[str] = Counter()
    for org in Organisation.objects.all():
        counts["leavers"] += len(apply_leavers(organisation=org, commit=True))
        counts["reminders"] += queue_renewal_reminders(org, now=now)
        counts["attention"] += queue_attention_digest(org, now=now)
    counts["digests"] += build_digests(now=now)
    counts.update(services.send_due(now=now))
    return counts


def _renewals(org: Organisation, day: dt.date) -> list[tuple[Any, str, dt.date]]:
    """(worker, "dbs" or "training", date) expiring within REMIND_DAYS."""
    from safecontact.people.selectors import active_workers, best_training
    from safecontact.people.selectors.attention import _vetting_due

    soon = day + dt.timedelta(days=REMIND_DAYS)
    found = []
    for person in active_workers(org, day):
        due, _ = _vetting_due(person, org.vetting_renewal_years)
        if due is not None and day <= due <= soon:
            found.append((person, "dbs", due))
        course = best_training(person)
        if course is not None and day <= course.expires_on <= soon:
            found.append((person, "training", course.expires_on))
    return found


def queue_renewal_reminders(org: Organisation, *, now: dt.datetime) -> int:
    """Remind the worker and the Leads once per expiry date."""
    made = 0
    leads = list(selectors.leads(org))
    for person, what, due in _renewals(org, org_today(org, now)):
        worker = [person.user] if person.user_id else []
        event = f"{what}:{person.code}:{due.isoformat()}"
        with transaction.atomic():
            made += services.queue(
                kind=Kind.RENEWAL,
                organisation=org,
                event=event,
                link=reverse("home"),
                recipients=worker,
                now=now,
                per_day=False,
            )
            made += services.queue(
                kind=Kind.RENEWAL,
                organisation=org,
                event=event,
                link=reverse("people:detail", args=[person.code]),
                recipients=leads,
                now=now,
                per_day=False,
            )
    return made


def _item_id(item: Any) -> str:
    """An opaque id for an attention item: no name leaves the database."""
    parts = [
        item.category,
        str(item.person.code) if item.person else "",
        str(getattr(item.group, "code", "")),
        item.message,
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def queue_attention_digest(org: Organisation, *, now: dt.datetime) -> int:
    """Tell each Lead once a day when the attention list has new items."""
    from safecontact.people.selectors.attention import attention_items

    day = org_today(org, now)
    current = {_item_id(i) for i in attention_items(org, day)}
    made = 0
    for lead in selectors.leads(org):
        last = (
            Notification.objects.filter(recipient=lead, kind=Kind.ATTENTION)
            .order_by("-created_at", "-id")
            .values_list("items", flat=True)
            .first()
        )
        if not current - set(last or []):
            continue
        made += _queue_attention(org, lead, sorted(current), day, now)
    return made


def _queue_attention(
    org: Organisation, lead: Any, items: list[str], day: dt.date, now: dt.datetime
) -> int:
    daily = lead.pk in selectors.wants_daily([lead])
    _, made = Notification.objects.get_or_create(
        key=f"{Kind.ATTENTION}:{org.code}:{lead.pk}:{day.isoformat()}",
        defaults={
            "organisation": org,
            "recipient": lead,
            "kind": Kind.ATTENTION,
            "link": reverse("people:attention"),
            "items": items,
            "status": Status.WAITING if daily else Status.PENDING,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    return int(made)


def build_digests(*, now: dt.datetime) -> int:
    """Fold each person's waiting notifications into one digest a day."""
    made = 0
    waiting = (
        Notification.objects.filter(status=Status.WAITING, created_at__lte=now)
        .values_list("recipient_id", "organisation_id")
        .distinct()
    )
    for user_id, org_id in list(waiting):
        made += _digest_for(user_id, org_id, now)
    return made


@transaction.atomic
def _digest_for(user_id: int, org_id: int, now: dt.datetime) -> int:
    org = Organisation.objects.get(pk=org_id)
    if now.astimezone(org_zone(org)).hour < DIGEST_HOUR:
        return 0
    day = org_today(org, now)
    digest, made = Notification.objects.get_or_create(
        key=f"{Kind.DIGEST}:{user_id}:{day.isoformat()}",
        defaults={
            "organisation": org,
            "recipient_id": user_id,
            "kind": Kind.DIGEST,
            "link": reverse("home"),
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    if not made:
        return 0  # today's digest is out; the rest wait for tomorrow's
    Notification.objects.filter(
        recipient_id=user_id,
        organisation_id=org_id,
        status=Status.WAITING,
        created_at__lte=now,
    ).update(status=Status.DIGESTED, digest=digest)
    return 1
