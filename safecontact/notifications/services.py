"""Queue and send notification emails: a link, never a name or the content.

Events call one function each (``message_held``, ``alert_raised`` ...) inside
their own transaction, so the notification is written with the event or not
at all. Rows are sent by ``send_due`` (the ``send_notifications`` task, and
``manage.py run_scheduled``), claimed with a conditional UPDATE like the
outbox; a mail server that is down leaves them pending for a later try.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import (
    INVITATION_DAYS,
    NOTIFICATION_DAYS,
    Organisation,
    User,
)
from safecontact.audittrail.services import record_change
from safecontact.concerns.crypto import DecryptionError
from safecontact.lib.dates import org_today
from safecontact.notifications import selectors
from safecontact.notifications.models import Notification, Preference

log = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status

# The guidance asks that concerns reach the Lead without delay; an urgent
# send outside agreed hours is only acceptable if the Lead knows at once.
ALWAYS_IMMEDIATE = frozenset(
    {
        Kind.CONCERN,
        Kind.URGENT,
        Kind.REVIEWED,
        Kind.RENEWAL,
        Kind.INVITATION,
        Kind.PASSWORD_RESET,
    }
)
# Emails whose words come from a template, with the row's one-time link.
LINK_EMAILS: dict[str, tuple[str, str]] = {
    Kind.INVITATION: (
        "accounts/invitation_subject.txt",
        "accounts/invitation_email.txt",
    ),
    Kind.PASSWORD_RESET: (
        "accounts/password_reset_subject.txt",
        "accounts/password_reset_email.txt",
    ),
}

# What each email says: that something needs you, never who or what.
WORDS: dict[str, tuple[str, str]] = {
    Kind.HELD: (
        "A message is waiting for your review",
        "A message has been held and is waiting for your review.",
    ),
    Kind.ALERT: (
        "A safeguarding alert needs your attention",
        "The scanner has raised an alert or early warning that needs you.",
    ),
    Kind.URGENT: (
        "A message was sent outside agreed hours",
        "A worker sent a message outside agreed hours as urgent.",
    ),
    Kind.CONCERN: (
        "A safeguarding concern needs your attention",
        "A safeguarding concern needs your attention. For the reporter's "
        "safety this email does not say what it is about.",
    ),
    Kind.QUARANTINE: (
        "Incoming mail was quarantined",
        "An email that reached your organisation's inbox was quarantined.",
    ),
    Kind.ATTENTION: (
        "New items on the attention list",
        "There are new things on the attention list to put right.",
    ),
    Kind.REVIEWED: (
        "News about a message you wrote",
        "A message you wrote was released, not sent, or stopped. Open it to "
        "see what happened and what you can do.",
    ),
    Kind.RENEWAL: (
        "A DBS check or training is due for renewal",
        "A DBS check or safeguarding training expires within 30 days.",
    ),
    Kind.DIGEST: (
        "Things that need you in SafeContact today",
        "Since yesterday these things need you:",
    ),
}

FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
CLAIM_LEASE = dt.timedelta(minutes=10)
# A row that failed this many times (about a day of retries) stops retrying.
MOST_ATTEMPTS = 30
BATCH = 100


# --- Queueing -------------------------------------------------------------------


def queue(
    *,
    kind: str,
    organisation: Organisation,
    event: str,
    link: str,
    recipients: Iterable[User],
    now: dt.datetime | None = None,
    per_day: bool = True,
    send_now: bool = False,
) -> int:
    """Queue one notification per recipient; returns how many were new.

    Call inside the event's transaction. ``event`` names what happened (a
    message or case code); the same event, person and day queue only once
    (without ``per_day``: the same event and person, ever). With
    ``send_now`` they are sent after commit in this process (the queue
    still retries them if that fails), otherwise by the worker.
    """
    now = now or timezone.now()
    people = [u for u in recipients if u.email and u.is_active]
    if not people:
        return 0
    day = org_today(organisation, now)
    daily = set() if kind in ALWAYS_IMMEDIATE else selectors.wants_daily(people)
    rows = [
        Notification(
            organisation=organisation,
            recipient=u,
            kind=kind,
            key=f"{kind}:{event}:{u.pk}" + (f":{day.isoformat()}" if per_day else ""),
            link=link,
            status=Status.WAITING if u.pk in daily else Status.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for u in people
    ]
    return len(_insert(rows, now=now, send_now=send_now))


def _insert(rows: list[Notification], *, now: dt.datetime, send_now: bool) -> list[int]:
    """Store the rows whose key is new; ids of those stored, sent after commit."""
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [r.key for r in rows]
    made = Notification.objects.filter(key__in=keys, created_at=now)
    ids = list(made.values_list("id", flat=True))
    if send_now:
        transaction.on_commit(lambda: send_due(now=now, ids=ids))
    else:
        transaction.on_commit(_enqueue_send)
    return ids


def queue_link(*, kind: str, user: User, event: str, path: str) -> bool:
    """Queue an email carrying a one-time link (an invitation, a password
    reset) to ``user``, active or not; False if ``event`` was queued before.

    The link is stored encrypted and erased once sent. The email is tried
    after commit in this process, then retried by the queue like the rest.
    """
    if kind not in LINK_EMAILS:
        raise ValueError(f"{kind} does not carry a link")
    now = timezone.now()
    row = Notification(
        organisation=user.organisation,
        recipient=user,
        kind=kind,
        key=f"{kind}:{event}",
        link="",
        secret=path,
        next_attempt_at=now,
        created_at=now,
    )
    with transaction.atomic():
        return bool(_insert([row], now=now, send_now=True))


def _enqueue_send() -> None:
    from safecontact.notifications.tasks import send_notifications

    try:
        send_notifications.enqueue()
    except Exception:  # any backend error: the rows wait for run_scheduled
        log.warning("could not enqueue send_notifications; run_scheduled sends")


def message_held(message: Any) -> None:
    """A held message, or an urgent send outside agreed hours, needs the Leads."""
    org = message.organisation
    link = message.get_absolute_url()
    if message.status == message.Status.HELD:
        kind = Kind.HELD
    elif _urgent(message) and message.status not in (
        message.Status.STOPPED,
        message.Status.REJECTED,
    ):
        kind = Kind.URGENT
    else:
        return
    queue(
        kind=kind,
        organisation=org,
        event=str(message.code),
        link=link,
        recipients=selectors.leads(org),
    )


def _urgent(message: Any) -> bool:
    changes = message.decision.get("changes", []) if message.decision else []
    return any(c.get("rule_id") == "hours.urgent_override" for c in changes)


def alert_raised(alert: Any) -> None:
    org = alert.organisation
    queue(
        kind=Kind.ALERT,
        organisation=org,
        event=str(alert.code),
        link=alert.get_absolute_url(),
        recipients=selectors.leads(org),
    )


def mail_quarantined(inbound: Any) -> None:
    org = inbound.organisation
    if org is None:
        return
    queue(
        kind=Kind.QUARANTINE,
        organisation=org,
        event=str(inbound.code),
        link=reverse("contact:quarantine"),
        recipients=selectors.leads(org),
    )


def concern_reported(case: Any, recipients: Iterable[User]) -> int:
    """Always immediate; the routing rules chose ``recipients``."""
    return queue(
        kind=Kind.CONCERN,
        organisation=case.organisation,
        event=str(case.code),
        link=case.get_absolute_url(),
        recipients=recipients,
        send_now=True,
    )


def message_reviewed(message: Any) -> None:
    """Tell the worker who wrote ``message`` it was released, rejected or stopped."""
    author = message.author
    if author is None:
        return
    queue(
        kind=Kind.REVIEWED,
        organisation=message.organisation,
        event=f"{message.code}:{message.status}",
        link=message.get_absolute_url(),
        recipients=[author],
    )


@transaction.atomic(durable=True)
def set_preference(*, actor: User, delivery: str) -> Preference:
    """Choose immediate emails or one daily digest (for non-urgent kinds)."""
    from django.core.exceptions import ValidationError

    from safecontact.audittrail.services import save_and_record, snapshot

    if delivery not in Preference.Delivery.values:
        raise ValidationError({"delivery": "Choose straight away or once a day."})
    pref = Preference.objects.filter(user=actor).first() or Preference(user=actor)
    before = None if pref._state.adding else snapshot(pref)
    pref.delivery = delivery
    if actor.organisation is None:  # no organisation's trail to write to
        pref.save()
        return pref
    save_and_record(
        actor=actor, organisation=actor.organisation, obj=pref, before=before
    )
    return pref


# --- Sending --------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    exponent = min(max(attempts - 1, 0), 20)
    return min(FIRST_RETRY * (2**exponent), LONGEST_WAIT)


def claim(notification_id: int, now: dt.datetime) -> bool:
    """Pending to sending; False if another worker got there first."""
    return (
        Notification.objects.filter(
            id=notification_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now)
        == 1
    )


def send_due(
    *,
    now: dt.datetime | None = None,
    limit: int = BATCH,
    ids: list[int] | None = None,
) -> Counter[str]:
    """Send every due notification (or just ``ids``); stop when SMTP is down."""
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    counts["reclaimed"] = Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    ).update(status=Status.PENDING, next_attempt_at=now)
    pending = Notification.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=now
    )
    if ids is not None:
        pending = pending.filter(id__in=ids)
    due = list(
        pending.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )
    connection: Any = None
    try:
        for nid in due:
            if not claim(nid, now):
                counts["skipped"] += 1
                continue
            outcome, connection = _send_one(nid, connection, now)
            counts[outcome] += 1
            if outcome == "retry":
                break
    finally:
        _close(connection)
    return counts


def _send_one(nid: int, connection: Any, now: dt.datetime) -> tuple[str, Any]:
    row = Notification.objects.select_related("recipient", "organisation").get(id=nid)
    try:
        email = build_email(row)
    except DecryptionError:
        return _failed(row, UNREADABLE_LINK, now, permanent=True), connection
    try:
        if connection is None:
            connection = mailers.default
            connection.open()
        connection.send_messages([email])
    except (smtplib.SMTPException, OSError) as exc:
        _close(connection)
        reason, permanent = why_not_sent(exc)
        return _failed(row, reason, now, permanent=permanent), None
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENT,
        sent_at=now,
        attempts=row.attempts + 1,
        last_error="",
        secret="",
    )
    return "sent", connection


UNREADABLE_LINK = (
    "The link in this email could not be read back (the encryption keys "
    "changed). Send a new one."
)


def why_not_sent(exc: BaseException) -> tuple[str, bool]:
    """Plain words for why an email did not go, and whether trying again
    could help (an address the server refuses will be refused again)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the address. Check the address is right.", True
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "SafeContact could not sign in to the mail server.", False
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "The mail server refused the address the email is sent from.", False
    if isinstance(exc, smtplib.SMTPException):
        return "The mail server turned the email away.", False
    return "The mail server could not be reached.", False


def _failed(
    row: Notification, reason: str, now: dt.datetime, *, permanent: bool
) -> str:
    attempts = row.attempts + 1
    permanent = permanent or attempts >= MOST_ATTEMPTS
    Notification.objects.filter(pk=row.pk).update(
        status=Status.FAILED if permanent else Status.PENDING,
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        last_error=reason,
    )
    # Who and which kind, never an address or content.
    log.info("notification %s attempt %d failed", row.code, attempts)
    return "failed" if permanent else "retry"


def _close(connection: Any) -> None:
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()


def build_email(row: Notification) -> EmailMessage:
    org = row.organisation
    sender = (org.email_from if org else "") or settings.DEFAULT_FROM_EMAIL
    if row.kind in LINK_EMAILS:
        return _link_email(row, sender)
    subject, sentence = WORDS[row.kind]
    lines = [sentence, ""]
    if row.kind == Kind.DIGEST:
        lines[1:] = [f"- {WORDS[p.kind][1]}" for p in row.parts.order_by("id")] + [""]
    lines.append(f"Sign in to see it: {settings.SITE_URL}{row.link}")
    if row.kind == Kind.CONCERN:
        lines.append("")
        lines.append("If you think someone is in immediate danger, call 999.")
    lines += [
        "",
        "--",
        f"Choose how often you hear from SafeContact: {settings.SITE_URL}"
        f"{reverse('notifications:preferences')}",
    ]
    return EmailMessage(
        subject=subject,
        body="\n".join(lines) + "\n",
        from_email=sender,
        to=[row.recipient.email],
    )


def _link_email(row: Notification, sender: str) -> EmailMessage:
    subject_template, body_template = LINK_EMAILS[row.kind]
    context = {
        "link": settings.SITE_URL + row.secret,
        "organisation": row.organisation,
        "role": row.recipient.get_role_display(),
        "days": INVITATION_DAYS,
    }
    subject = " ".join(render_to_string(subject_template, context).split())
    return EmailMessage(
        subject=subject,
        body=render_to_string(body_template, context),
        from_email=sender,
        to=[row.recipient.email],
    )


# --- Failures -------------------------------------------------------------------


class NotificationError(Exception):
    """The notification cannot be handled as asked; the message says why."""


def retry_blocked(row: Notification, now: dt.datetime) -> str:
    """Why trying ``row`` again would not help (its link is dead), or ""."""
    age = now - row.created_at
    if row.kind == Kind.INVITATION and age >= dt.timedelta(days=INVITATION_DAYS):
        return "The invitation has expired: send a new one from their register entry."
    reset_lifetime = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if row.kind == Kind.PASSWORD_RESET and age >= reset_lifetime:
        return "The link has expired: they can ask for a new one on the sign-in page."
    if row.last_error == UNREADABLE_LINK:
        return UNREADABLE_LINK
    return ""


@transaction.atomic(durable=True)
def retry_notification(*, actor: User, notification: Notification) -> Notification:
    """Try an email that failed after its retries again, with a fresh round
    of retries (Lead or deputy; audited). It is tried at once after commit."""
    if not actor.is_lead or actor.organisation_id != notification.organisation_id:
        raise PermissionDenied("Only the Safeguarding Lead or deputy can do this.")
    now = timezone.now()
    blocked = retry_blocked(notification, now)
    if blocked:
        raise NotificationError(blocked)
    claimed = Notification.objects.filter(
        pk=notification.pk, status=Status.FAILED
    ).update(status=Status.PENDING, attempts=0, next_attempt_at=now)
    if claimed != 1:
        raise NotificationError("This email is already being tried again.")
    record_change(
        actor=actor,
        organisation=actor.organisation,
        obj=notification,
        action="update",
        before={"status": Status.FAILED.label, "last_error": notification.last_error},
        after={"status": Status.PENDING.label},
    )
    transaction.on_commit(lambda: send_due(now=now, ids=[notification.pk]))
    notification.refresh_from_db()
    return notification


# --- Keeping records ----------------------------------------------------------------

# Purged once past the period; waiting, pending and sending rows never are.
FINISHED = (Status.SENT, Status.DIGESTED, Status.FAILED)


def expired_notifications(
    organisation: Organisation | None, now: dt.datetime
) -> QuerySet[Notification]:
    """Sent, digested and failed notifications of ``organisation`` (None: a
    superuser's password resets) written more than its period ago.

    Each person's newest attention email is kept whatever its age: its items
    are what they were last told, so the next run tells only what is new.
    """
    days = organisation.notification_retention_days if organisation else None
    cutoff = now - dt.timedelta(days=days or NOTIFICATION_DAYS)
    newest_attention = (
        Notification.objects.filter(
            recipient=OuterRef("recipient"), kind=Kind.ATTENTION
        )
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    return (
        Notification.objects.filter(
            organisation=organisation, status__in=FINISHED, created_at__lt=cutoff
        )
        .annotate(newest_attention=Subquery(newest_attention))
        .exclude(kind=Kind.ATTENTION, id=F("newest_attention"))
    )


PURGE_BATCH = 500  # ids per DELETE, well under SQLite's variable limit
# Who the audit trail says deleted them: the daily job, in plain words.
PURGE_JOB = "daily clean-up of notification emails"


def purge_notifications(
    *, apply: bool = False, now: dt.datetime | None = None
) -> dict[str, int]:
    """How many notifications each organisation has past its period (by
    name; "" for those of no organisation); deleted only when ``apply``.

    Each batch deleted is on its organisation's audit trail, written with
    it; a superuser's password resets belong to no organisation's trail."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for org in [*Organisation.objects.order_by("name"), None]:
        expired = expired_notifications(org, now)
        if not apply:
            counts[org.name if org else ""] = expired.count()
            continue
        # In batches, each with its audit entry in the same transaction: a
        # run stopped part-way leaves every batch it deleted recorded, and
        # none it did not. Before and after: how many the run still had to
        # delete before the batch and after it.
        ids = list(expired.values_list("id", flat=True))
        days = (org.notification_retention_days if org else 0) or NOTIFICATION_DAYS
        for start in range(0, len(ids), PURGE_BATCH):
            with transaction.atomic():
                batch = ids[start : start + PURGE_BATCH]
                Notification.objects.filter(id__in=batch).delete()
                if org is not None:
                    left = len(ids) - start
                    record_change(
                        actor=None,
                        job=PURGE_JOB,
                        organisation=org,
                        obj=org,
                        action="delete",
                        before={"old_notification_emails": left, "kept_days": days},
                        after={
                            "old_notification_emails": left - len(batch),
                            "kept_days": days,
                        },
                    )
        counts[org.name if org else ""] = len(ids)
    return {name: found for name, found in counts.items() if found}
