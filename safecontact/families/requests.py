"""Consent requests: the Lead asks the parents of a group (or adults at risk)
to give or renew consent, sees who has answered, and sends reminders.

Sending runs as a task (``tasks.send_consent_requests``) so a long batch does
not hold a page open; progress is the count of rows sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.families.models import ConsentRequest
from safecontact.families.services import issue_link
from safecontact.groups.models import Group
from safecontact.lib.access import require_lead
from safecontact.people.models import Consent, Person


def _recipients(subject: Person) -> list[Person]:
    if subject.kind == Person.Kind.ADULT_AT_RISK:
        return [subject] if subject.email else []
    return list(
        Person.objects.filter(
            cares_for__person=subject, cares_for__parental_responsibility=True
        ).exclude(email="")
    )


@transaction.atomic
def request_consent(*, actor: User, group: Group) -> uuid.UUID:
    """Ask for consent for every child and adult at risk in ``group``; the
    emails go from a task. Returns the batch's id."""
    require_lead(actor, group.organisation_id)
    from safecontact.families.tasks import send_consent_requests

    batch = uuid.uuid4()
    now = timezone.now()
    subjects = Person.objects.filter(
        memberships__group=group,
        memberships__removed_at=None,
        kind__in=(Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK),
    ).distinct()
    ConsentRequest.objects.bulk_create(
        [
            ConsentRequest(
                organisation_id=group.organisation_id,
                batch=batch,
                recipient=recipient,
                subject=subject,
                requested_by=actor,
                created_at=now,
            )
            for subject in subjects
            for recipient in _recipients(subject)
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: send_consent_requests.enqueue(str(batch)))
    return batch


def send_batch(batch: uuid.UUID) -> int:
    """Send what is left of ``batch``: one email per recipient, each row
    claimed first so a rerun after a restart sends nothing twice."""
    sent = 0
    pending = ConsentRequest.objects.filter(batch=batch, sent_at=None)
    for recipient_id in set(pending.values_list("recipient_id", flat=True)):
        claimed = pending.filter(recipient_id=recipient_id).update(
            sent_at=timezone.now()
        )
        if claimed:
            with transaction.atomic():
                issue_link(actor=None, person=Person.objects.get(pk=recipient_id))
            sent += 1
    return sent


def answered(request: ConsentRequest) -> bool:
    """A consent given or withdrawn for the subject since the request."""
    return Consent.objects.filter(
        subject_id=request.subject_id, recorded_at__gte=request.created_at
    ).exists()


@dataclass(frozen=True)
class BatchProgress:
    batch: uuid.UUID
    created_at: Any
    total: int
    sent: int
    rows: list[tuple[ConsentRequest, bool]]

    @property
    def answered(self) -> int:
        return sum(1 for _, done in self.rows if done)


def batches(organisation: Any, limit: int = 10) -> list[BatchProgress]:
    ids = list(
        ConsentRequest.objects.filter(organisation=organisation)
        .values_list("batch", flat=True)
        .order_by("-created_at")
        .distinct()[: limit * 50]
    )
    seen = list(dict.fromkeys(ids))[:limit]
    out = []
    for batch in seen:
        rows = list(
            ConsentRequest.objects.filter(batch=batch).select_related(
                "recipient", "subject"
            )
        )
        out.append(
            BatchProgress(
                batch=batch,
                created_at=rows[0].created_at,
                total=len(rows),
                sent=sum(1 for r in rows if r.sent_at),
                rows=[(r, answered(r)) for r in rows],
            )
        )
    return out


@transaction.atomic
def remind(*, actor: User, batch: uuid.UUID) -> int:
    """A fresh link to everyone in ``batch`` who has not answered."""
    rows = list(
        ConsentRequest.objects.filter(batch=batch, organisation=actor.organisation_id)
        .filter(~Q(sent_at=None))
        .select_related("recipient")
    )
    if not rows:
        return 0
    require_lead(actor, rows[0].organisation_id)
    now = timezone.now()
    waiting = {r.recipient_id: r.recipient for r in rows if not answered(r)}
    for recipient in waiting.values():
        issue_link(actor=actor, person=recipient)
    ConsentRequest.objects.filter(batch=batch, recipient_id__in=list(waiting)).update(
        reminded_at=now, reminders=F("reminders") + 1
    )
    return len(waiting)


def batch_exists(organisation: Any, batch: uuid.UUID) -> bool:
    return ConsentRequest.objects.filter(
        organisation=organisation, batch=batch
    ).exists()
