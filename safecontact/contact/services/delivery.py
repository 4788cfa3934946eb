"""The outbox: send due ``Delivery`` rows by SMTP, retry what fails, lose nothing.

A row is claimed with a conditional UPDATE (only one worker can move it from
pending to sending), sent outside any transaction, then marked in a short
transaction with its contact-log entry. A mail server that is down puts the
row back to pending with a later ``next_attempt_at``; rows are never deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
from collections import Counter
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone

from safecontact.contact.models import Delivery, InboxItem, Message
from safecontact.contact.services import recheck
from safecontact.families.footer import footer_for_delivery
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.services import append_entry

log = logging.getLogger(__name__)

FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
# A row left "sending" this long was claimed by a process that died mid-send.
CLAIM_LEASE = dt.timedelta(minutes=10)
BATCH = 100


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min ... doubling, never more than an hour."""
    exponent = min(max(attempts - 1, 0), 20)
    return min(FIRST_RETRY * (2**exponent), LONGEST_WAIT)


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Move one due row from pending to sending; False if someone else did."""
    return (
        Delivery.objects.filter(
            id=delivery_id,
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
        ).update(status=Delivery.Status.SENDING, claimed_at=now)
        == 1
    )


def release_stale_claims(now: dt.datetime) -> int:
    return Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    ).update(status=Delivery.Status.PENDING, next_attempt_at=now)


def due_ids(now: dt.datetime, limit: int = BATCH) -> list[int]:
    return list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def deliver_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> Counter[str]:
    """Send every due row (up to ``limit``); returns counts by outcome.

    Stops at the first sign the mail server is unreachable: the remaining
    rows stay pending, untouched, for the next round.
    """
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    counts["reclaimed"] = release_stale_claims(now)
    connection: Any = None
    try:
        for delivery_id in due_ids(now, limit):
            if not claim(delivery_id, now):
                counts["skipped"] += 1
                continue
            outcome, connection = _deliver_one(delivery_id, connection, now)
            counts[outcome] += 1
            if outcome == "retry":
                break
    finally:
        if connection is not None:
            connection.close()
    return counts


def _deliver_one(
    delivery_id: int, connection: Any, now: dt.datetime
) -> tuple[str, Any]:
    delivery = Delivery.objects.select_related(
        "message__organisation", "message__in_reply_to__inbound"
    ).get(id=delivery_id)
    if not recheck.may_leave(delivery, now):
        return "stopped", connection
    if (
        delivery.message.channel == Message.Channel.IN_APP
        and delivery.kind == "message"
    ):
        mark_sent(delivery, smtp_message_id="")
        return "sent", connection
    email = build_email(delivery)
    try:
        if connection is None:
            connection = mailers.default
            connection.open()
        connection.send_messages([email])
    except (smtplib.SMTPException, OSError) as exc:
        words, permanent = describe(exc)
        mark_failed(delivery, words, permanent=permanent, now=now)
        _close(connection)
        return ("failed" if permanent else "retry"), None
    mark_sent(delivery, smtp_message_id=email.extra_headers["Message-ID"])
    return "sent", connection


def _close(connection: Any) -> None:
    if connection is None:
        return
    with contextlib.suppress(smtplib.SMTPException, OSError):  # already gone
        connection.close()


def describe(exc: BaseException) -> tuple[str, bool]:
    """What went wrong in plain words, and whether trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        words = f"The mail server refused {len(codes)} address(es) (codes {sorted(set(codes))})."
        return words + ("" if permanent else " Trying again later."), permanent
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        permanent = exc.smtp_code >= 500
        words = f"The mail server would not accept the message (code {exc.smtp_code})."
        return words + ("" if permanent else " Trying again later."), permanent
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            "The mail server did not accept SafeContact's login; ask whoever runs "
            "SafeContact to check the email settings. Trying again later.",
            False,
        )
    return (
        f"Could not reach the mail server ({type(exc).__name__}). "
        "The message is safe and will be tried again.",
        False,
    )


def plus_address(address: str, token: str) -> str:
    """``inbox+token@domain``: replies carry the token back to their thread."""
    local, _, domain = address.partition("@")
    return f"{local}+{token}@{domain}" if domain else address


def message_id_for(delivery: Delivery) -> str:
    org = delivery.message.organisation
    domain = (org.inbox_address or org.email_from).partition("@")[
        2
    ] or "safecontact.invalid"
    return f"<{delivery.message.reply_token}.{delivery.code.hex}@{domain}>"


def build_email(delivery: Delivery) -> EmailMessage:
    message = delivery.message
    org = message.organisation
    headers = {"Message-ID": message_id_for(delivery)}
    parent = message.in_reply_to
    inbound = getattr(parent, "inbound", None) if parent else None
    if inbound is not None and inbound.header_message_id:
        headers["In-Reply-To"] = inbound.header_message_id
        headers["References"] = inbound.header_message_id
    if not delivery.to and not delivery.cc:
        # Everyone is in Bcc: say so rather than leave To empty.
        headers["To"] = "undisclosed-recipients:;"
    reply_to = (
        [plus_address(org.inbox_address, message.reply_token)]
        if org.inbox_address
        else []
    )
    return EmailMessage(
        subject=_subject(delivery),
        body=_body(delivery),
        from_email=formataddr(
            (org.name, org.email_from or settings.DEFAULT_FROM_EMAIL)
        ),
        to=delivery.to,
        cc=delivery.cc,
        bcc=delivery.bcc,
        reply_to=reply_to,
        headers=headers,
    )


def _subject(delivery: Delivery) -> str:
    message = delivery.message
    subject = message.subject or f"A message from {message.organisation.name}"
    return f"Copy: {subject}" if delivery.kind == "copy" else subject


def _body(delivery: Delivery) -> str:
    message = delivery.message
    org = message.organisation
    footer = footer_for_delivery(delivery)
    if delivery.kind != "copy":
        return message.body + footer
    intro = (
        f"{message.sender} sent this message to {org.name}. Under the "
        "organisation's safeguarding policy, messages from a young person to "
        "a worker are never one-to-one, so you are receiving a copy.\n\n"
    )
    return intro + message.body + footer


@transaction.atomic(durable=True)
def mark_sent(delivery: Delivery, *, smtp_message_id: str) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT,
        sent_at=now,
        smtp_message_id=smtp_message_id,
        last_error="",
        attempts=delivery.attempts + 1,
    )
    message = delivery.message
    if message.channel == Message.Channel.IN_APP and delivery.kind == "message":
        _fill_inboxes(message)
    if not message.deliveries.exclude(status=Delivery.Status.SENT).exists():
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.SENT, sent_at=now
        )
    append_entry(
        organisation=message.organisation,
        kind=LedgerEntry.Kind.MESSAGE_DELIVERED,
        content={
            "message": str(message.code),
            "delivery": str(delivery.code),
            "kind": delivery.kind,
            "channel": message.channel,
            "attempt": delivery.attempts + 1,
            "to": len(delivery.to),
            "cc": len(delivery.cc),
            "bcc": len(delivery.bcc),
            "smtp_message_id": smtp_message_id,
        },
        subjects=_subject_codes(message),
    )


def _fill_inboxes(message: Message) -> None:
    items = [
        InboxItem(
            user_id=row.person.user_id,
            message=message,
            reason=InboxItem.Reason.RECIPIENT
            if row.role != "cc"
            else InboxItem.Reason.COPY,
        )
        for row in message.recipient_rows.select_related("person")
        if row.person.user_id is not None
    ]
    InboxItem.objects.bulk_create(items, ignore_conflicts=True)


def _subject_codes(message: Message) -> list[str]:
    from safecontact.contact.services.sending import subjects_of

    return subjects_of(message)


@transaction.atomic(durable=True)
def mark_failed(
    delivery: Delivery, words: str, *, permanent: bool, now: dt.datetime
) -> None:
    attempts = delivery.attempts + 1
    status = Delivery.Status.FAILED if permanent else Delivery.Status.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=attempts,
        last_error=words,
        next_attempt_at=now + backoff(attempts),
    )
    log.info(
        "delivery %s attempt %d %s",
        delivery.code,
        attempts,
        "failed" if permanent else "will retry",
    )
    if permanent:
        message = delivery.message
        append_entry(
            organisation=message.organisation,
            kind=LedgerEntry.Kind.MESSAGE_FAILED,
            content={
                "message": str(message.code),
                "delivery": str(delivery.code),
                "attempts": attempts,
                "error": words,
            },
            subjects=_subject_codes(message),
        )


@transaction.atomic(durable=True)
def retry_delivery(*, actor: Any, delivery: Delivery) -> Delivery:
    """The Lead asks for a failed email to be tried again now."""
    from safecontact.audittrail.services import record_change, snapshot

    before = snapshot(delivery, exclude={"to", "cc", "bcc"})
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    delivery.refresh_from_db()
    record_change(
        actor=actor,
        organisation=delivery.organisation,
        obj=delivery,
        action="update",
        before=before,
        after=snapshot(delivery, exclude={"to", "cc", "bcc"}),
    )
    return delivery
