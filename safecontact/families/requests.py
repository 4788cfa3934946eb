"""Consent requests: the Lead asks the parents of a group, or of children and
adults at risk picked one by one, to give or renew consent; sees who has
answered; sends reminders. A renewal request for one consent nearing its end
comes from the attention list.

Every request is a row; the emails go from a task (``tasks``), a chunk at a
time, so a long batch does not hold a page open and shows how far it has got.
A row is claimed before its email goes and marked sent after: a worker that
stops mid-batch (a restart) leaves its claim, which is taken again after
``CLAIM_LEASE``, so nothing is lost; the one email that can go twice is one
whose sending was cut off between the mail server taking it and the row
being marked (its newer link replaces the older one).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.audittrail.services import record_change
from safecontact.families.models import ConsentRequest
from safecontact.families.services import issue_link, send_link
from safecontact.groups.models import Group
from safecontact.lib.access import require_lead
from safecontact.people.models import Consent, Person, Relationship
from safecontact.people.selectors import latest_consent

# Recipients emailed by one run of the task before it queues the next.
CHUNK = 50
# A claim this old whose email was never marked sent belonged to a worker
# that stopped; the row is taken again. Also how long a batch may make no
# progress before the page offers to carry on.
CLAIM_LEASE = dt.timedelta(minutes=10)
SUBJECT_KINDS = (Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK)


def _recipients(subjects: Sequence[Person]) -> dict[int, list[Person]]:
    """Who decides for each subject and has an email address (one query):
    an adult at risk themselves; a child's carers with parental
    responsibility."""
    found: dict[int, list[Person]] = {
        s.pk: [s] for s in subjects if s.kind == Person.Kind.ADULT_AT_RISK and s.email
    }
    children = [s.pk for s in subjects if s.kind == Person.Kind.CHILD]
    links = (
        Relationship.objects.filter(
            person_id__in=children, parental_responsibility=True
        )
        .exclude(carer__email="")
        .select_related("carer")
        .order_by("carer__last_name", "carer__first_name", "carer_id")
    )
    for link in links:
        found.setdefault(link.person_id, []).append(link.carer)
    return found


def _group_subjects(group: Group) -> list[Person]:
    return list(
        Person.objects.filter(
            memberships__group=group,
            memberships__removed_at=None,
            kind__in=SUBJECT_KINDS,
        ).distinct()
    )


@transaction.atomic
def request_consent(
    *, actor: User, group: Group | None = None, subjects: Iterable[Person] = ()
) -> uuid.UUID:
    """Ask for consent for everyone in ``group``, or for the children and
    adults at risk in ``subjects``; the emails go from a task. Returns the
    batch's id. Nobody to ask is an error; nothing is saved."""
    chosen = list(subjects)
    org_id = group.organisation_id if group is not None else actor.organisation_id
    if org_id is None:
        raise PermissionDenied("Only members of an organisation ask for consent.")
    require_lead(actor, org_id)
    if group is not None:
        chosen, label = _group_subjects(group), group.name
    else:
        if any(p.organisation_id != org_id for p in chosen):
            raise PermissionDenied("Choose people from your own organisation.")
        if any(p.kind not in SUBJECT_KINDS for p in chosen):
            raise ValidationError(
                {"recipients": "Choose children and adults at risk only."}
            )
        label = f"{len(chosen)} {'person' if len(chosen) == 1 else 'people'} chosen"
    if not chosen:
        raise ValidationError({"recipients": "Choose at least one person."})
    return _create_batch(actor, chosen, label, org_id)


def _create_batch(
    actor: User,
    subjects: Sequence[Person],
    label: str,
    org_id: int,
    renews: Consent | None = None,
) -> uuid.UUID:
    batch, now = uuid.uuid4(), timezone.now()
    deciders = _recipients(subjects)
    rows = [
        ConsentRequest(
            organisation_id=org_id,
            batch=batch,
            label=label,
            recipient=recipient,
            subject=subject,
            renews=renews,
            requested_by=actor,
            created_at=now,
        )
        for subject in subjects
        for recipient in deciders.get(subject.pk, [])
    ]
    if not rows:
        raise ValidationError(
            {
                "recipients": "Nobody chosen has a parent or carer (or, for an "
                "adult at risk, an address of their own) to email. Add their "
                "email address in the register first."
            }
        )
    ConsentRequest.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: enqueue(batch))
    return batch


def enqueue(
    batch: uuid.UUID, *, wait: dt.timedelta | None = None, idle_runs: int = 0
) -> None:
    from safecontact.families.tasks import send_consent_requests  # tasks import us

    task = send_consent_requests
    if wait is not None:
        task = task.using(run_after=timezone.now() + wait)
    task.enqueue(str(batch), idle_runs)


def _claimable(batch: uuid.UUID, now: dt.datetime) -> QuerySet[ConsentRequest]:
    return ConsentRequest.objects.filter(batch=batch, sent_at=None).filter(
        Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_LEASE)
    )


def send_batch(batch: uuid.UUID, limit: int | None = None) -> int:
    """Send up to ``limit`` (``CHUNK``) recipients' emails of ``batch`` (one email each,
    however many people it is for). Returns how many went; stops at the first
    email the mail server would not take (the row waits for the next run)."""
    sent = 0
    waiting = _claimable(batch, timezone.now()).order_by("id")
    ids = list(dict.fromkeys(waiting.values_list("recipient_id", flat=True)))
    for recipient_id in ids[: limit or CHUNK]:
        now = timezone.now()
        mine = _claimable(batch, now).filter(recipient_id=recipient_id)
        if not mine.update(claimed_at=now):
            continue  # another worker has it
        if not _send_one(batch, recipient_id, now):
            ConsentRequest.objects.filter(
                batch=batch, recipient_id=recipient_id, claimed_at=now
            ).update(claimed_at=None)
            break
        ConsentRequest.objects.filter(
            batch=batch, recipient_id=recipient_id, claimed_at=now
        ).update(sent_at=timezone.now())
        sent += 1
    return sent


def _send_one(batch: uuid.UUID, recipient_id: int, now: dt.datetime) -> bool:
    rows = list(
        ConsentRequest.objects.filter(batch=batch, recipient_id=recipient_id)
        .select_related("recipient__organisation", "subject", "renews")
        .order_by("subject__first_name")
    )
    recipient = rows[0].recipient
    with transaction.atomic():
        link, url = issue_link(actor=None, person=recipient, send=False)
    return send_link(recipient, url, link.expires_at, note=_note(rows))


def _note(rows: Sequence[ConsentRequest]) -> str:
    first = rows[0]
    if first.renews is not None and first.renews.expires_on is not None:
        who = (
            "your"
            if first.subject_id == first.recipient_id
            else (f"{first.subject.first_name}'s")
        )
        return (
            f"Please renew {who} consent: it ends on "
            f"{first.renews.expires_on:%d %B %Y}."
        )
    if first.subject_id == first.recipient_id:
        return "Please tell us whether we may contact you."
    names = _names([r.subject.first_name for r in rows])
    return f"Please give, renew or withdraw your consent for {names}."


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def left(batch: uuid.UUID) -> int:
    """Rows of ``batch`` not yet sent."""
    return ConsentRequest.objects.filter(batch=batch, sent_at=None).count()


# --- What the Lead sees ----------------------------------------------------------


def _answered() -> Exists:
    """A consent given or withdrawn for the row's subject since the request."""
    return Exists(
        Consent.objects.filter(
            subject_id=OuterRef("subject_id"), recorded_at__gte=OuterRef("created_at")
        )
    )


@dataclass(frozen=True)
class BatchSummary:
    batch: uuid.UUID
    label: str
    created_at: dt.datetime
    total: int
    sent: int
    answered: int
    last_claim: dt.datetime | None

    @property
    def done(self) -> bool:
        return self.sent == self.total

    def stalled(self, now: dt.datetime) -> bool:
        """Unsent rows and no progress for a lease: its worker stopped."""
        latest = max(self.created_at, self.last_claim or self.created_at)
        return not self.done and latest < now - CLAIM_LEASE


def _summaries(rows: QuerySet[ConsentRequest]) -> list[BatchSummary]:
    found = rows.values("batch").annotate(
        label_=Max("label"),
        created=Min("created_at"),
        total=Count("id"),
        sent=Count("sent_at"),
        answered=Count("id", filter=_answered()),
        last_claim=Max("claimed_at"),
    )
    return [
        BatchSummary(
            r["batch"],
            r["label_"] or "A group",
            r["created"],
            r["total"],
            r["sent"],
            r["answered"],
            r["last_claim"],
        )
        for r in found.order_by("-created")
    ]


def batches(organisation: Any, limit: int = 20) -> list[BatchSummary]:
    """The newest batches with their counts, in one query."""
    rows = ConsentRequest.objects.filter(organisation=organisation)
    return _summaries(rows)[:limit]


def batch_summary(organisation: Any, batch: uuid.UUID) -> BatchSummary | None:
    rows = ConsentRequest.objects.filter(organisation=organisation, batch=batch)
    return next(iter(_summaries(rows)), None)


def batch_rows(organisation: Any, batch: uuid.UUID) -> QuerySet[ConsentRequest]:
    """The rows of one batch, each with ``done`` (answered), by name."""
    return (
        ConsentRequest.objects.filter(organisation=organisation, batch=batch)
        .annotate(done=_answered())
        .select_related("recipient", "subject")
        .order_by("subject__last_name", "subject__first_name", "subject_id", "id")
    )


# --- Reminders, restarts, renewals --------------------------------------------------


@transaction.atomic
def remind(*, actor: User, batch: uuid.UUID) -> int:
    """Send again to everyone in ``batch`` who was sent a request and has not
    answered: their rows wait for the task once more. Returns how many
    people will be reminded."""
    rows = ConsentRequest.objects.filter(
        batch=batch, organisation=actor.organisation_id
    )
    first = rows.first()
    if first is None:
        return 0
    require_lead(actor, first.organisation_id)
    waiting = rows.exclude(sent_at=None).annotate(done=_answered()).filter(done=False)
    people = set(waiting.values_list("recipient_id", flat=True))
    if not people:
        return 0
    rows.filter(recipient_id__in=people).update(
        sent_at=None,
        claimed_at=None,
        reminded_at=timezone.now(),
        reminders=F("reminders") + 1,
    )
    transaction.on_commit(lambda: enqueue(batch))
    return len(people)


@transaction.atomic
def carry_on(*, actor: User, batch: uuid.UUID) -> bool:
    """Queue a stalled batch again (its worker stopped); False if it is not
    stalled (still going, or finished)."""
    summary = batch_summary(actor.organisation, batch)
    if summary is None or actor.organisation_id is None:
        return False
    require_lead(actor, actor.organisation_id)
    if not summary.stalled(timezone.now()):
        return False
    transaction.on_commit(lambda: enqueue(batch))
    return True


@transaction.atomic
def send_renewal_request(*, actor: User, consent: Consent) -> int:
    """Ask whoever decides for ``consent``'s subject to renew it (the attention
    list's action). Idempotent: each person is asked once per consent, and a
    second click sends nothing. Audited. Returns how many were asked now."""
    require_lead(actor, consent.organisation_id)
    subject = consent.subject
    current = latest_consent(subject)
    if current is None or current.pk != consent.pk:
        raise ValidationError("A newer consent record replaced this one.")
    if consent.status != Consent.Status.GIVEN:
        raise ValidationError("This consent was withdrawn: there is nothing to renew.")
    asked = set(
        ConsentRequest.objects.filter(renews=consent).values_list(
            "recipient_id", flat=True
        )
    )
    deciders = [
        p for p in _recipients([subject]).get(subject.pk, []) if p.pk not in asked
    ]
    if not deciders:
        if asked:
            return 0
        raise ValidationError(
            f"Nobody who decides for {subject.first_name} has an email address."
        )
    batch = _create_batch(
        actor,
        [subject],
        f"Renewal for {subject.first_name}",
        consent.organisation_id,
        renews=consent,
    )
    for row in ConsentRequest.objects.filter(batch=batch).select_related("recipient"):
        record_change(
            actor=actor,
            organisation=subject.organisation,
            obj=row,
            action="create",
            before=None,
            after={
                "renews": str(consent.code),
                "subject": str(subject.code),
                "recipient": str(row.recipient.code),
            },
        )
    return len(deciders)


def renewal_sent(
    consent_ids: Iterable[int],
) -> dict[int, tuple[dt.datetime, uuid.UUID]]:
    """Consent id -> when a renewal request for it was first made, and its
    batch (one query)."""
    rows = (
        ConsentRequest.objects.filter(renews_id__in=list(consent_ids))
        .order_by("created_at")
        .values_list("renews_id", "created_at", "batch")
    )
    found: dict[int, tuple[dt.datetime, uuid.UUID]] = {}
    for consent_id, at, batch in rows:
        found.setdefault(consent_id, (at, batch))
    return found
