"""The outbox: send due ``Delivery`` rows by SMTP, retry what fails, lose nothing.

A row is claimed (pending -> sending, committed) before the SMTP conversation
starts, sent outside any transaction, then marked in a short transaction with
its contact-log entry. A mail server that is down puts the row back to pending
with a later ``next_attempt_at``; rows are never deleted. One row that cannot
be built or sent is marked failed and the others go on. A claim left behind by
a process that died is taken back after its lease and the email is sent again
with the same Message-ID, and the contact log says so. docs/delivery.md says
exactly what can and cannot happen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import traceback
from collections import Counter
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from safecontact.contact.models import Delivery, InboxItem, Message
from safecontact.contact.services import recheck, routing
from safecontact.contact.services.sending import header_safe
from safecontact.contact.services.writers import writer_turn
from safecontact.families.footer import footer_for_delivery
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.services import append_entry
from safecontact.lib.large_print import email_in_format
from safeguarding.policy.routing import Format

log = logging.getLogger(__name__)

FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
# A row left "sending" this long was claimed by a process that died mid-send.
# One claim covers one email's SMTP conversation, a few socket timeouts at most.
CLAIM_LEASE = dt.timedelta(minutes=10)
# A row whose sending was interrupted this many times is given up on, so a row
# that kills the process (out of memory, say) cannot do it for ever.
MOST_INTERRUPTIONS = 3
BATCH = 100
# Kept out of the audit trail: who a row is addressed to, and shows.
ADDRESSES = frozenset({"to", "cc", "bcc", "routing"})

UNBUILDABLE = (
    "SafeContact could not turn this message into an email (a line break or "
    "control character in the subject, a name or an address). It will not be "
    "tried again; send it again with the subject on one line."
)
UNEXPECTED = (
    "Something went wrong in SafeContact while sending this email, so it was "
    "stopped; it may or may not have reached the recipients. Whoever runs "
    "SafeContact has the details in the server log."
)
INTERRUPTED = (
    "Sending was interrupted, so the email will be sent again; some people may "
    "receive it twice."
)
RESENT = (
    "Sending was interrupted, so the email was sent again; some people may "
    "have received it twice."
)
GAVE_UP = (
    "Sending this email was interrupted {n} times, so it was stopped; some "
    "people may have received it. Whoever runs SafeContact has the details in "
    "the server log."
)


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
        ).update(status=Delivery.Status.SENDING, claimed_at=timezone.now())
        == 1
    )


def claim_next(now: dt.datetime) -> int | None:
    """Claim the next due row and commit the claim; None when nothing is due.

    Several outbox processes call this at once: on PostgreSQL each skips the
    row another is claiming (``SKIP LOCKED``) instead of queueing behind it; on
    SQLite the write transaction serialises them. The claim is committed
    before any SMTP, and stamps the row's Message-ID once, so every attempt
    at this email carries the same one.
    """
    with writer_turn(), transaction.atomic(durable=True):
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("message__organisation")
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return None
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENDING,
            claimed_at=timezone.now(),
            smtp_message_id=delivery.smtp_message_id or message_id_for(delivery),
        )
    return delivery.pk


def recover_interrupted(lease: dt.timedelta = CLAIM_LEASE) -> Counter[str]:
    """Take back claims whose process died: send again, or give up on the row.

    Compared with the real clock (not a round's ``now``), as the claims are.
    """
    counts: Counter[str] = Counter()
    cutoff = timezone.now() - lease
    stale = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=cutoff
    ).values_list("id", flat=True)
    for delivery_id in list(stale[:BATCH]):
        outcome = _recover_one(delivery_id, cutoff)
        if outcome:
            counts[outcome] += 1
    return counts


def _recover_one(delivery_id: int, cutoff: dt.datetime) -> str:
    with writer_turn(), transaction.atomic(durable=True):
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("message__organisation")
            .filter(
                id=delivery_id, status=Delivery.Status.SENDING, claimed_at__lt=cutoff
            )
            .first()
        )
        if delivery is None:  # another process took it back first
            return ""
        times = delivery.interruptions + 1
        log.warning("delivery %s was interrupted (%d times)", delivery.code, times)
        if times >= MOST_INTERRUPTIONS:
            _finish_failed(delivery, GAVE_UP.format(n=times), interruptions=times)
            return "failed"
        # Still due (it was when claimed): it keeps its place in the queue.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            interruptions=times,
            attempts=F("attempts") + 1,
            last_error=INTERRUPTED,
        )
        return "reclaimed"


def deliver_due(
    *,
    now: dt.datetime | None = None,
    limit: int = BATCH,
    lease: dt.timedelta = CLAIM_LEASE,
) -> Counter[str]:
    """Send every due row (up to ``limit``); returns counts by outcome.

    Stops at the first sign the mail server is unreachable: the remaining
    rows stay pending, untouched, for the next round. A row that cannot be
    built or sent for any other reason is marked failed and the round goes on.
    """
    now = now or timezone.now()
    counts = recover_interrupted(lease)
    connection: Any = None
    try:
        for _ in range(limit):
            delivery_id = claim_next(now)
            if delivery_id is None:
                break
            try:
                outcome, connection = _deliver_one(delivery_id, connection, now)
            except DatabaseError:
                raise  # the round is lost; the claim is taken back after its lease
            except Exception as exc:
                outcome = _give_up(delivery_id, exc, now)
                _close(connection)
                connection = None
            counts[outcome] += 1
            if outcome == "retry":
                break
    finally:
        _close(connection)
    return counts


def _deliver_one(
    delivery_id: int, connection: Any, now: dt.datetime
) -> tuple[str, Any]:
    delivery = Delivery.objects.select_related(
        "message__organisation", "message__in_reply_to__inbound"
    ).get(id=delivery_id)
    if not recheck.may_leave(delivery, now):
        return "stopped", connection
    if routing.by(delivery) == routing.INBOX and delivery.kind == "message":
        mark_sent(delivery, smtp_message_id="")
        return "sent", connection
    try:
        email = build_email(delivery)
        email.message(policy=SMTP_POLICY)  # a bad header fails here, before SMTP
    except ValueError as exc:  # what Django's mail raises for a bad header
        return _unbuildable(delivery, exc, now), connection
    try:
        if connection is None:
            connection = mailers.default
            connection.open()
    except (smtplib.SMTPException, OSError) as exc:  # nothing was sent
        return _failed(delivery, exc, now, uncertain=False), None
    try:
        connection.send_messages([email])
    except ValueError as exc:  # an address the mail backend refuses
        _close(connection)
        return _unbuildable(delivery, exc, now), None
    except (smtplib.SMTPException, OSError) as exc:
        _close(connection)
        return _failed(delivery, exc, now, uncertain=may_have_arrived(exc)), None
    mark_sent(delivery, smtp_message_id=email.extra_headers["Message-ID"])
    return "sent", connection


def may_have_arrived(exc: BaseException) -> bool:
    """Could the server have taken the email despite ``exc``?

    A reply from the server (a refusal, a 4xx or 5xx) is a clear answer. A
    connection lost or timed out mid-conversation is not: the server may have
    had the whole message when it went, as after a ``kill -9``.
    """
    answered = smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
    return not isinstance(exc, answered)


def _failed(
    delivery: Delivery, exc: BaseException, now: dt.datetime, *, uncertain: bool
) -> str:
    words, permanent = describe(exc)
    if uncertain:
        words += " It may have arrived already; if so, some people will have it twice."
    mark_failed(delivery, words, permanent=permanent, now=now, uncertain=uncertain)
    return "failed" if permanent else "retry"


def _unbuildable(delivery: Delivery, exc: ValueError, now: dt.datetime) -> str:
    # Never the exception's text: it quotes the header.
    log.warning("delivery %s cannot be built (%s)", delivery.code, _kind(exc))
    mark_failed(delivery, UNBUILDABLE, permanent=True, now=now)
    return "failed"


def _give_up(delivery_id: int, exc: Exception, now: dt.datetime) -> str:
    """A row failed in a way nobody planned for: stop it, keep the outbox going.

    The log gets the exception's type and where it happened, never its text,
    which could quote the message.
    """
    where = "".join(traceback.format_tb(exc.__traceback__))
    log.error("delivery %s stopped by %s at\n%s", delivery_id, _kind(exc), where)
    delivery = Delivery.objects.select_related("message__organisation").get(
        id=delivery_id
    )
    if not mark_failed(delivery, UNEXPECTED, permanent=True, now=now):
        return "skipped"
    return "failed"


def _kind(exc: BaseException) -> str:
    return type(exc).__name__


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
    # Stamped when first claimed: every attempt carries the same Message-ID.
    headers = {"Message-ID": delivery.smtp_message_id or message_id_for(delivery)}
    parent = message.in_reply_to
    inbound = getattr(parent, "inbound", None) if parent else None
    replied_to = inbound.header_message_id if inbound is not None else ""
    if replied_to and header_safe(replied_to):  # from outside: could be anything
        headers["In-Reply-To"] = replied_to
        headers["References"] = replied_to
    # A row split off by accessibility preferences shows the message's own
    # To and Cc, and is sent only to its own people (its to, cc and bcc).
    shown = (delivery.routing or {}).get("shown") or {
        "to": delivery.to,
        "cc": delivery.cc,
    }
    if not shown["to"] and not shown["cc"]:
        # Everyone is in Bcc: say so rather than leave To empty.
        headers["To"] = "undisclosed-recipients:;"
    elif delivery.routing.get("shown"):
        headers |= {
            name.title(): ", ".join(shown[name]) for name in ("to", "cc") if shown[name]
        }
    reply_to = (
        [plus_address(org.inbox_address, message.reply_token)]
        if org.inbox_address
        else []
    )
    return email_in_format(
        large_print=delivery.routing.get("format") == Format.LARGE_PRINT,
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


def mark_sent(delivery: Delivery, *, smtp_message_id: str) -> bool:
    """Record a sent row and its contact-log entry; False if the claim was lost.

    Only the claim that sent the email may finish it (same ``claimed_at``), so
    the log says "delivered" once per delivery even if a claim was taken back
    from a process that was only slow.
    """
    with writer_turn(), transaction.atomic(durable=True):
        return _mark_sent(delivery, smtp_message_id)


def _mark_sent(delivery: Delivery, smtp_message_id: str) -> bool:
    now = timezone.now()
    resent = delivery.interruptions > 0
    finished = Delivery.objects.filter(
        pk=delivery.pk,
        status=Delivery.Status.SENDING,
        claimed_at=delivery.claimed_at,
    ).update(
        status=Delivery.Status.SENT,
        sent_at=now,
        smtp_message_id=smtp_message_id,
        last_error=RESENT if resent else "",
        attempts=delivery.attempts + 1,
    )
    if not finished:
        log.warning("delivery %s was taken over by another process", delivery.code)
        return False
    message = delivery.message
    if routing.by(delivery) == routing.INBOX and delivery.kind == "message":
        _fill_inboxes(message, delivery.routing.get("people"))
    if not message.deliveries.exclude(status=Delivery.Status.SENT).exists():
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.SENT, sent_at=now
        )
    content: dict[str, Any] = {
        "message": str(message.code),
        "delivery": str(delivery.code),
        "kind": delivery.kind,
        "channel": message.channel,
        "attempt": delivery.attempts + 1,
        "to": len(delivery.to),
        "cc": len(delivery.cc),
        "bcc": len(delivery.bcc),
        "smtp_message_id": smtp_message_id,
    }
    if delivery.routing:
        # Sent as its people asked (a preferred channel, large print).
        content["routing"] = {
            key: delivery.routing[key]
            for key in ("by", "format", "people")
            if key in delivery.routing
        }
    if resent:
        # An earlier try may have reached the recipients: same Message-ID, so
        # mail systems that de-duplicate can, and the Lead can tell.
        content["interrupted"] = delivery.interruptions
        content["possible_duplicate"] = True
    append_entry(
        organisation=message.organisation,
        kind=LedgerEntry.Kind.MESSAGE_DELIVERED,
        content=content,
        subjects=_subject_codes(message),
    )
    return True


def _fill_inboxes(message: Message, people: list[str] | None = None) -> None:
    """An inbox item for each recipient with a login (``people``: only these
    codes, when preferences split the message)."""
    rows = message.recipient_rows.select_related("person")
    if people is not None:
        rows = rows.filter(person__code__in=people)
    items = [
        InboxItem(
            user_id=row.person.user_id,
            message=message,
            reason=InboxItem.Reason.RECIPIENT
            if row.role != "cc"
            else InboxItem.Reason.COPY,
        )
        for row in rows
        if row.person.user_id is not None
    ]
    InboxItem.objects.bulk_create(items, ignore_conflicts=True)


def _subject_codes(message: Message) -> list[str]:
    from safecontact.contact.services.sending import subjects_of

    return subjects_of(message)


def mark_failed(
    delivery: Delivery,
    words: str,
    *,
    permanent: bool,
    now: dt.datetime,
    uncertain: bool = False,
) -> bool:
    """Record a failed try: back to pending with backoff, or failed for good.

    ``uncertain``: the email may have arrived anyway (the connection went
    mid-conversation); counted like an interruption, so a later success is
    logged as a possible duplicate. False if this process's claim was lost
    (see ``mark_sent``).
    """
    with writer_turn(), transaction.atomic(durable=True):
        attempts = delivery.attempts + 1
        mine = Delivery.objects.filter(
            pk=delivery.pk,
            status=Delivery.Status.SENDING,
            claimed_at=delivery.claimed_at,
        )
        if not permanent:
            log.info("delivery %s attempt %d will retry", delivery.code, attempts)
            return bool(
                mine.update(
                    status=Delivery.Status.PENDING,
                    attempts=attempts,
                    last_error=words,
                    next_attempt_at=now + backoff(attempts),
                    interruptions=F("interruptions") + int(uncertain),
                )
            )
        if not mine.select_for_update(of=("self",)).exists():
            return False
        _finish_failed(delivery, words, attempts=attempts)
        return True


def _finish_failed(
    delivery: Delivery,
    words: str,
    *,
    attempts: int | None = None,
    interruptions: int | None = None,
) -> None:
    """Mark a claimed row failed for good and log it; inside a transaction."""
    attempts = attempts or delivery.attempts + 1
    fields: dict[str, Any] = {"interruptions": interruptions} if interruptions else {}
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, attempts=attempts, last_error=words, **fields
    )
    log.info("delivery %s attempt %d failed", delivery.code, attempts)
    message = delivery.message
    content: dict[str, Any] = {
        "message": str(message.code),
        "delivery": str(delivery.code),
        "attempts": attempts,
        "error": words,
    }
    if interruptions:
        content["interrupted"] = interruptions
        content["possible_duplicate"] = True
    append_entry(
        organisation=message.organisation,
        kind=LedgerEntry.Kind.MESSAGE_FAILED,
        content=content,
        subjects=_subject_codes(message),
    )


@transaction.atomic(durable=True)
def retry_delivery(*, actor: Any, delivery: Delivery) -> Delivery:
    """The Lead asks for a failed email to be tried again now."""
    from safecontact.audittrail.services import record_change, snapshot

    before = snapshot(delivery, exclude=ADDRESSES)
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
        after=snapshot(delivery, exclude=ADDRESSES),
    )
    return delivery
