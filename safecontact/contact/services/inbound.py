"""receive_inbound: one email that reached an organisation's inbox.

Every email is recorded as an ``InboundMessage`` first, so nothing is dropped:
mail that cannot be read, is too big, is addressed to no organisation or comes
from someone not in the register is quarantined with the reason in plain
words. Mail from someone known becomes a ``Message`` threaded to what it
answers, scanned, and shared by the same rules as outbound contact: a child's
reply to a worker is never one-to-one.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.contact.models import InboundMessage, InboxItem, Message, Recipient
from safecontact.contact.services import inputs
from safecontact.contact.services.early_warning import warn_early
from safecontact.contact.services.sending import (
    address,
    log_attempt,
    notify_leads,
    one_line,
    raise_alert,
    serious_findings,
)
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.services import append_entry
from safecontact.people import selectors as register
from safecontact.people.models import Person
from safeguarding.policy import RULES, PersonKind, effective_kind
from safeguarding.policy import Recipient as PolicyRecipient

log = logging.getLogger(__name__)

MAX_INBOUND_BYTES = 5 * 1024 * 1024
# Kept of a message over the limit: enough for its headers.
KEPT_OF_OVERSIZE = 64 * 1024
_TOKEN = re.compile(r"^<?([0-9a-f]{20})\.[0-9a-f]{32}@", re.IGNORECASE)


class Quarantine(Exception):
    """The email cannot be accepted; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Parsed:
    mail: EmailMessage
    sender: str
    recipients: list[str]
    subject: str
    message_id: str
    text: str


def receive_inbound(
    raw: bytes, *, source: str = "smtp", envelope_to: tuple[str, ...] = ()
) -> InboundMessage:
    """Record, thread, scan and share one received email. Never raises for
    bad mail: it is quarantined instead."""
    size = len(raw)
    if size > MAX_INBOUND_BYTES:
        return _quarantine(
            raw[:KEPT_OF_OVERSIZE],
            source,
            size,
            f"The email is {size:,} bytes; the limit is {MAX_INBOUND_BYTES:,}. "
            "Only its first part was kept.",
        )
    parsed: Parsed | None = None
    organisation: Organisation | None = None
    try:
        parsed = parse(raw, envelope_to)
        organisation = organisation_for(parsed.recipients)
        person = sender_for(organisation, parsed.sender)
    except Quarantine as why:
        return _quarantine(raw, source, size, str(why), parsed, organisation)
    record = _accept(raw, source, parsed, organisation, person)
    if record.message is not None and warn_early(record.message) is not None:
        notify_leads(record.message)
    return record


def parse(raw: bytes, envelope_to: tuple[str, ...] = ()) -> Parsed:
    try:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        if not isinstance(mail, EmailMessage):
            raise TypeError("not an email")
        senders = getaddresses([str(v) for v in mail.get_all("From", [])])
        tos = [a for _, a in getaddresses(_all(mail, "To", "Cc", "Delivered-To")) if a]
        text = _text_of(mail)
        # Decoded, a subject can hold CR/LF ("=?utf-8?q?=0D=0A?="); the copy
        # to a parent puts it back in a header.
        subject = one_line(str(mail.get("Subject", "")))[:300]
        message_id = str(mail.get("Message-ID", "")).strip()[:300]
    except Exception as exc:  # the email package raises many kinds on bad mail
        raise Quarantine(
            f"The email could not be read ({type(exc).__name__})."
        ) from exc
    if not senders or not senders[0][1] or "@" not in senders[0][1]:
        raise Quarantine("The email has no sender address.")
    if text is None:
        raise Quarantine("The email has no text we can read.")
    recipients = list(envelope_to) + tos
    return Parsed(mail, senders[0][1].lower(), recipients, subject, message_id, text)


def _all(mail: EmailMessage, *names: str) -> list[str]:
    return [str(v) for name in names for v in mail.get_all(name, [])]


def _text_of(mail: EmailMessage) -> str | None:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    content = part.get_content()  # type: ignore[attr-defined]
    if part.get_content_subtype() == "html":
        content = re.sub(r"<[^>]+>", " ", content)
    return str(content).strip()


def _split(addr: str) -> tuple[str, str, str]:
    """(local part without +tag, tag, domain), lower case."""
    local, _, domain = addr.lower().partition("@")
    base, _, tag = local.partition("+")
    return base, tag, domain


def organisation_for(recipients: list[str]) -> Organisation:
    for addr in recipients:
        base, _, domain = _split(addr)
        org = Organisation.objects.filter(
            inbox_address__iexact=f"{base}@{domain}"
        ).first()
        if org is not None:
            return org
    raise Quarantine("The email is not addressed to any organisation's inbox.")


def sender_for(organisation: Organisation, sender: str) -> Person:
    people = Person.objects.filter(organisation=organisation, email__iexact=sender)
    # A shared family address: the child's record first, so the copy rules apply.
    order: dict[str, int] = {Person.Kind.CHILD: 0, Person.Kind.ADULT_AT_RISK: 1}
    found = sorted(people, key=lambda p: (order.get(p.kind, 2), p.pk))
    if not found:
        raise Quarantine("The sender is not in the organisation's register.")
    return found[0]


def thread_for(organisation: Organisation, parsed: Parsed) -> Message | None:
    tokens = [_split(a)[1] for a in parsed.recipients]
    for header in ("In-Reply-To", "References"):
        for ref in str(parsed.mail.get(header, "")).split():
            match = _TOKEN.match(ref)
            if match:
                tokens.append(match.group(1).lower())
    for token in tokens:
        if not token:
            continue
        found = Message.objects.filter(
            organisation=organisation, reply_token=token
        ).first()
        if found is not None:
            return found
    return None


@transaction.atomic(durable=True)
def _quarantine(
    raw: bytes,
    source: str,
    size: int,
    reason: str,
    parsed: Parsed | None = None,
    organisation: Organisation | None = None,
) -> InboundMessage:
    record = InboundMessage.objects.create(
        organisation=organisation,
        source=source,
        from_address=parsed.sender if parsed else "",
        to_addresses=", ".join(parsed.recipients)[:2000] if parsed else "",
        subject=parsed.subject if parsed else "",
        header_message_id=parsed.message_id if parsed else "",
        size=size,
        status=InboundMessage.Status.QUARANTINED,
        reason=reason,
        raw=raw,
    )
    if organisation is not None:
        append_entry(
            organisation=organisation,
            kind=LedgerEntry.Kind.MESSAGE_QUARANTINED,
            content={"inbound": str(record.code), "size": size, "reason": reason},
        )
    log.info("inbound %s quarantined: %s", record.code, reason)
    return record


@transaction.atomic(durable=True)
def _accept(
    raw: bytes, source: str, parsed: Parsed, org: Organisation, person: Person
) -> InboundMessage:
    original = thread_for(org, parsed)
    worker = original.sender if original else None
    message = Message.objects.create(
        organisation=org,
        direction=Message.Direction.INBOUND,
        sender=person,
        channel=Message.Channel.EMAIL,
        purpose=original.purpose if original else "",
        subject=parsed.subject[:200],
        body=parsed.text,
        status=Message.Status.QUEUED,
        thread=(original.thread or original) if original else None,
        in_reply_to=original,
        group=original.group if original else None,
    )
    record = InboundMessage.objects.create(
        organisation=org,
        source=source,
        from_address=parsed.sender,
        to_addresses=", ".join(parsed.recipients)[:2000],
        subject=parsed.subject,
        header_message_id=parsed.message_id,
        size=len(raw),
        status=InboundMessage.Status.ACCEPTED,
        raw=raw,
        message=message,
    )
    findings = inputs.findings_json(
        inputs.scan(parsed.subject), "subject"
    ) + inputs.findings_json(inputs.scan(parsed.text), "body")
    copies = _copies(org, person, worker, parsed, message)
    serious = serious_findings(findings, org)
    _record_recipients(message, worker, copies)
    message.status = Message.Status.HELD if serious else Message.Status.QUEUED
    message.decision = _decision(message, serious, findings, copies)
    message.save(update_fields=["status", "decision"])
    entry = log_attempt(message, actor=None)
    if serious:
        raise_alert(message, serious, entry)
        notify_leads(message)
    else:
        share_inbound(message)
    return record


def _copies(
    org: Organisation,
    person: Person,
    worker: Person | None,
    parsed: Parsed,
    message: Message,
) -> list[Person]:
    """Who gets a copy so a child's reply to a worker is not one-to-one."""
    today = timezone.localdate()
    kind = effective_kind(
        PolicyRecipient(
            str(person.code), PersonKind(person.kind), person.date_of_birth
        ),
        today,
    )
    if kind is not PersonKind.CHILD or worker is None:
        return []
    already = {a.lower() for a in parsed.recipients}
    carers = [c for c in register.carers_with_responsibility(person) if c.email]
    if org.copy_policy != Organisation.CopyPolicy.SECOND_ADULT and carers:
        if any(c.email.lower() in already for c in carers):
            return []  # the parent was on the reply already
        return carers[:1]
    if org.copy_policy == Organisation.CopyPolicy.PARENT:
        return []
    people: dict[str, Person] = {}
    seconds = inputs.second_adults(org, "email", today, people)
    choice = [people[c] for c in seconds if people[c].pk != worker.pk]
    return choice[:1]


def _record_recipients(
    message: Message, worker: Person | None, copies: list[Person]
) -> None:
    rows = []
    if worker is not None:
        rows.append(Recipient(message=message, person=worker, role=Recipient.Role.TO))
    rows += [
        Recipient(
            message=message,
            person=p,
            role=Recipient.Role.CC,
            added_by_rule="child.no_one_to_one",
        )
        for p in copies
    ]
    Recipient.objects.bulk_create(rows)


def _decision(
    message: Message,
    serious: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    copies: list[Person],
) -> dict[str, Any]:
    reasons: list[dict[str, Any]] = []
    if copies:
        rule = RULES["child.no_one_to_one"]
        reasons.append(
            {
                "rule_id": rule.id,
                "effect": "allow_with_changes",
                "message": f"So this reply is not one-to-one, {copies[0]} gets a copy.",
                "guidance": rule.guidance,
                "fix": rule.fix,
                "person": str(copies[0].code),
                "person_name": str(copies[0]),
            }
        )
    if serious:
        rule = RULES["content.hold"]
        reasons.append(
            {
                "rule_id": rule.id,
                "effect": "hold",
                "message": "The message has things the Safeguarding Lead must "
                "check before anyone else sees it.",
                "guidance": rule.guidance,
                "fix": rule.fix,
                "person": None,
                "person_name": "",
            }
        )
    outcome = "hold" if serious else ("allow_with_changes" if copies else "allow")
    return {"outcome": outcome, "reasons": reasons, "changes": [], "findings": findings}


def share_inbound(message: Message) -> None:
    """Put an accepted reply in the worker's inbox, copy it out, tell the Lead.

    Called in the accepting transaction, or when the Lead releases it.
    """
    from safecontact.contact.models import Delivery

    rows = list(message.recipient_rows.select_related("person__user"))
    for row in rows:
        user: User | None = row.person.user
        if row.role == Recipient.Role.TO and user is not None:
            InboxItem.objects.get_or_create(
                user=user, message=message, defaults={"reason": InboxItem.Reason.REPLY}
            )
    cc = [address(r.person) for r in rows if r.role == Recipient.Role.CC]
    if cc:
        Delivery.objects.create(
            organisation=message.organisation,
            message=message,
            kind="copy",
            to=cc,
            next_attempt_at=timezone.now(),
        )
    if message.sender and message.sender.kind in (
        Person.Kind.CHILD,
        Person.Kind.ADULT_AT_RISK,
    ):
        notify_leads(message)
    if not cc:
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["status", "sent_at"])


def accepted_address(addr: str) -> bool:
    """Is ``addr`` (maybe with a +token) some organisation's inbox?"""
    base, _, domain = _split(addr)
    return Organisation.objects.filter(
        inbox_address__iexact=f"{base}@{domain}"
    ).exists()
