"""receive_inbound: one email that reached an organisation's inbox.

Every email is recorded as an ``InboundMessage``, so nothing is dropped: mail
that cannot be read or stored, is too big, is addressed to no organisation,
comes from someone not in the register or does not answer a conversation its
sender is on is quarantined with the reason in plain words.

The walk goes one way, and the slow parts stay out of the write transaction
(on SQLite that transaction blocks every other writer):

1. parse the bytes and scan the text (pure, no database);
2. read: the organisation, the thread the reply token names, the sender,
   the people a copy could go to; the policy core decides the reply
   (``safeguarding.policy.replies.decide_reply``);
3. write, in one short transaction: the message, its recipients, the
   contact-log entry, alert, inbox items and copy.

Sender addresses are easy to forge, so a reply is attributed to a person only
when it carries a reply token (in the ``+token`` address or the Message-ID it
answers) of a message that person was on, and its From address is theirs.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.contact.models import InboundMessage, InboxItem, Message, Recipient
from safecontact.contact.services import inputs
from safecontact.contact.services.early_warning import carries_evidence, warn_early
from safecontact.contact.services.sending import (
    COPY_KINDS,
    address,
    decision_json,
    lead_users,
    log_attempt,
    notify_leads,
    one_line,
    raise_alert,
    serious_findings,
)
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.services import append_entry
from safecontact.lib.dates import org_today
from safecontact.notifications import services as notifications
from safecontact.people import selectors as register
from safecontact.people.models import Person
from safeguarding.policy import (
    ChangeKind,
    Decision,
    OrgRules,
    Outcome,
    PersonKind,
    effective_kind,
)
from safeguarding.policy import Recipient as PolicyRecipient
from safeguarding.policy.replies import ReplyRequest, decide_reply
from safeguarding.screening.findings import Finding

log = logging.getLogger(__name__)

MAX_INBOUND_BYTES = 5 * 1024 * 1024
# Kept of a message over the limit: enough for its headers.
KEPT_OF_OVERSIZE = 64 * 1024
# Addresses (envelope first) looked at for the inbox and reply token.
MAX_ADDRESSES = 50
_TOKEN = re.compile(r"^<?([0-9a-f]{20})\.[0-9a-f]{32}@", re.IGNORECASE)
# One pass, linear: a tag cannot contain another "<".
_TAG = re.compile(r"<[^<>]*>")


class Quarantine(Exception):
    """The email cannot be accepted; the message says why in plain words."""

    def __init__(self, why: str, organisation: Organisation | None = None) -> None:
        super().__init__(why)
        self.organisation = organisation


@dataclass(frozen=True, slots=True)
class Parsed:
    mail: EmailMessage
    sender: str
    recipients: list[str]
    subject: str
    message_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the write needs, read and decided before it starts."""

    organisation: Organisation
    person: Person
    original: Message
    worker: Person | None
    decision: Decision
    people: dict[str, Person]
    findings: list[dict[str, Any]]
    leads: list[User]


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
    try:
        parsed = parse(raw, envelope_to)
        found = inputs.scan(parsed.subject), inputs.scan(parsed.text)
        plan = _plan(parsed, found, timezone.now())
    except Quarantine as why:
        return _quarantine(raw, source, size, str(why), parsed, why.organisation)
    try:
        record = _accept(raw, source, parsed, plan)
    except (DatabaseError, ValueError) as exc:
        # Something in it the database refuses: keep the bytes, say so.
        log.warning("inbound mail could not be stored: %s", type(exc).__name__)
        words = (
            f"The email could not be stored as a message ({type(exc).__name__}); "
            "it is kept here exactly as received."
        )
        return _quarantine(raw, source, size, words, None, plan.organisation)
    if record.message is not None and warn_early(record.message) is not None:
        notify_leads(record.message)
    return record


def clean(text: str) -> str:
    """Text the database can store: PostgreSQL refuses NUL characters.

    Removed rather than replaced, so a NUL inside a word cannot hide the word
    from the scanner.
    """
    return text.replace("\x00", "")


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
        subject = one_line(clean(str(mail.get("Subject", ""))))[:300]
        message_id = clean(str(mail.get("Message-ID", ""))).strip()[:300]
    except Exception as exc:  # the email package raises many kinds on bad mail
        raise Quarantine(
            f"The email could not be read ({type(exc).__name__})."
        ) from exc
    sender = clean(senders[0][1]).lower() if senders else ""
    if "@" not in sender:
        raise Quarantine("The email has no sender address.")
    if text is None:
        raise Quarantine("The email has no text we can read.")
    # Each address may cost a query; real replies name a handful.
    recipients = [clean(a) for a in (*envelope_to, *tos)][:MAX_ADDRESSES]
    return Parsed(mail, sender[:320], recipients, subject, message_id, text)


def _all(mail: EmailMessage, *names: str) -> list[str]:
    return [str(v) for name in names for v in mail.get_all(name, [])]


def _text_of(mail: EmailMessage) -> str | None:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    content = part.get_content()  # type: ignore[attr-defined]
    if part.get_content_subtype() == "html":
        content = _TAG.sub(" ", content)
    return clean(str(content)).strip()


def _split(addr: str) -> tuple[str, str, str]:
    """(local part without +tag, tag, domain), lower case."""
    local, _, domain = addr.lower().partition("@")
    base, _, tag = local.partition("+")
    return base, tag, domain


def _plan(
    parsed: Parsed,
    found: tuple[tuple[Finding, ...], tuple[Finding, ...]],
    now: dt.datetime,
) -> Plan:
    org = organisation_for(parsed.recipients)
    candidates = senders_for(org, parsed.sender)
    original = thread_for(org, parsed)
    if original is None:
        raise Quarantine(
            "The email does not answer a message sent through SafeContact, so "
            "who sent it cannot be confirmed.",
            org,
        )
    person = on_thread(original, candidates)
    worker = worker_of(original)
    addrs = {a.lower() for a in parsed.recipients}
    request, rules, people = reply_request(
        org, person, worker, now, on_reply=addrs, findings=found[0] + found[1]
    )
    decision = decide_reply(request, rules)
    findings = inputs.findings_json(found[0], "subject") + inputs.findings_json(
        found[1], "body"
    )
    kinds = {c.kind for c in decision.changes}
    tell = decision.outcome is Outcome.HOLD or ChangeKind.NOTIFY_LEAD in kinds
    leads = lead_users(org) if tell else []
    return Plan(org, person, original, worker, decision, people, findings, leads)


def organisation_for(recipients: list[str]) -> Organisation:
    for addr in recipients:
        base, _, domain = _split(addr)
        org = Organisation.objects.filter(
            inbox_address__iexact=f"{base}@{domain}"
        ).first()
        if org is not None:
            return org
    raise Quarantine("The email is not addressed to any organisation's inbox.")


def senders_for(organisation: Organisation, sender: str) -> list[Person]:
    """Everyone in the register with this address; a shared family address
    gives the child first, so the copy rules apply."""
    people = Person.objects.filter(organisation=organisation, email__iexact=sender)
    order: dict[str, int] = {Person.Kind.CHILD: 0, Person.Kind.ADULT_AT_RISK: 1}
    found = sorted(people, key=lambda p: (order.get(p.kind, 2), p.pk))
    if not found:
        raise Quarantine(
            "The sender is not in the organisation's register.", organisation
        )
    return found


def thread_for(organisation: Organisation, parsed: Parsed) -> Message | None:
    """The message whose reply token the email carries, if any."""
    tokens = [_split(a)[1] for a in parsed.recipients]
    for header in ("In-Reply-To", "References"):
        for ref in clean(str(parsed.mail.get(header, ""))).split()[:50]:
            match = _TOKEN.match(ref)
            if match:
                tokens.append(match.group(1).lower())
    for token in dict.fromkeys(t for t in tokens if t):
        found = (
            Message.objects.filter(organisation=organisation, reply_token=token)
            .select_related("sender")
            .first()
        )
        if found is not None:
            return found
    return None


def on_thread(original: Message, candidates: Sequence[Person]) -> Person:
    """The candidate who was on ``original``: its sender or a recipient."""
    on = set(original.recipient_rows.values_list("person_id", flat=True))
    if original.sender_id is not None:
        on.add(original.sender_id)
    for person in candidates:
        if person.pk in on:
            return person
    raise Quarantine(
        "The email answers a conversation its sender's address is not on, so "
        "it may not be from who it says.",
        original.organisation,
    )


def worker_of(original: Message) -> Person | None:
    """Who a reply is for: the worker who sent the message it answers, or
    the worker a reply it answers was to (a parent answering a copy)."""
    if original.direction == Message.Direction.OUTBOUND:
        return original.sender
    row = original.recipient_rows.filter(role=Recipient.Role.TO).first()
    return row.person if row else None


def reply_request(
    org: Organisation,
    person: Person,
    worker: Person | None,
    now: dt.datetime,
    *,
    on_reply: Iterable[str] = (),
    findings: tuple[Finding, ...] = (),
) -> tuple[ReplyRequest, OrgRules, dict[str, Person]]:
    """The core's view of a reply from ``person`` to ``worker``, as of ``now``
    in the organisation's timezone. ``on_reply``: addresses on the email."""
    today = org_today(org, now)
    carers = [c for c in register.carers_with_responsibility(person) if c.email]
    replier = PolicyRecipient(
        str(person.code),
        PersonKind(person.kind),
        person.date_of_birth,
        parents=tuple(str(c.code) for c in carers),
    )
    people = {str(p.code): p for p in (person, *carers)}
    seconds: tuple[str, ...] = ()
    if worker is not None:
        people[str(worker.code)] = worker
        if effective_kind(replier, today) is PersonKind.CHILD:
            seconds = inputs.second_adults(org, "email", today, people)
    addrs = set(on_reply)
    already = frozenset(
        code
        for code, p in people.items()
        if p.email and p.email.lower() in addrs and p is not person
    )
    worker_id = str(worker.code) if worker else None
    request = ReplyRequest(replier, worker_id, now, already, findings)
    return request, inputs.org_rules(org, seconds), people


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
    notifications.mail_quarantined(record)
    return record


@transaction.atomic(durable=True)
def _accept(raw: bytes, source: str, parsed: Parsed, plan: Plan) -> InboundMessage:
    original, decision = plan.original, plan.decision
    held = decision.outcome is Outcome.HOLD
    message = Message.objects.create(
        organisation=plan.organisation,
        direction=Message.Direction.INBOUND,
        sender=plan.person,
        channel=Message.Channel.EMAIL,
        purpose=original.purpose,
        subject=parsed.subject[:200],
        body=parsed.text,
        status=Message.Status.HELD if held else Message.Status.QUEUED,
        decision=decision_json(decision, plan.people, plan.findings),
        evidence=carries_evidence(parsed.subject[:200], parsed.text, plan.findings),
        thread=original.thread or original,
        in_reply_to=original,
        group=original.group,
    )
    record = InboundMessage.objects.create(
        organisation=plan.organisation,
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
    rows = _record_recipients(message, plan)
    entry = log_attempt(message, actor=None, rows=rows)
    serious = serious_findings(plan.findings, plan.organisation)
    if serious:
        raise_alert(message, serious, entry)
    if held:
        notify_leads(message, leads=plan.leads)
    else:
        share_inbound(message, leads=plan.leads)
    return record


def _record_recipients(message: Message, plan: Plan) -> list[Recipient]:
    rows = []
    if plan.worker is not None:
        rows.append(Recipient(message=message, person=plan.worker))
    seen = {plan.worker.pk} if plan.worker else set()
    for change in plan.decision.changes:
        person = plan.people.get(change.person_id or "")
        if change.kind not in COPY_KINDS or person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        rows.append(
            Recipient(
                message=message,
                person=person,
                role=Recipient.Role.CC,
                added_by_rule=change.rule_id,
            )
        )
    Recipient.objects.bulk_create(rows)
    return rows


def share_inbound(message: Message, *, leads: Sequence[User] | None = None) -> None:
    """Put an accepted reply in the worker's inbox, copy it out, tell the Lead
    when its decision says so.

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
    changes = message.decision.get("changes", [])
    if any(c.get("kind") == ChangeKind.NOTIFY_LEAD for c in changes):
        notify_leads(message, leads=leads)
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
