"""send_message: check a message against the guidance, then do what was decided.

Every attempt is stored and logged, whatever the decision: blocked messages
are part of the record too. Emails to send become ``Delivery`` rows in the
same transaction, so a message is never "sent" without its outbox row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.contact.models import Alert, Delivery, InboxItem, Message, Recipient
from safecontact.contact.services import inputs, routing
from safecontact.contact.services.early_warning import carries_evidence, warn_early
from safecontact.contact.services.writers import writer_turn
from safecontact.groups.models import Group, Purpose
from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.services import (
    PendingEntry,
    append_entry,
    prepare_entry,
    write_entry,
)
from safecontact.lib import rawsql
from safecontact.notifications import services as notifications
from safecontact.people.models import Person
from safeguarding.policy import (
    ChangeKind,
    Decision,
    Outcome,
    decide,
)

STATUS_FOR = {
    Outcome.ALLOW: Message.Status.QUEUED,
    Outcome.ALLOW_WITH_CHANGES: Message.Status.QUEUED,
    Outcome.DEFER: Message.Status.DEFERRED,
    Outcome.HOLD: Message.Status.HELD,
    Outcome.BLOCK: Message.Status.BLOCKED,
}
OUTCOME_LABELS = {
    Outcome.ALLOW: "Can be sent",
    Outcome.ALLOW_WITH_CHANGES: "Can be sent, with changes",
    Outcome.DEFER: "Will wait for agreed hours",
    Outcome.HOLD: "Will be held for the Safeguarding Lead",
    Outcome.BLOCK: "Cannot be sent",
}
COPY_KINDS = (
    ChangeKind.ADD_CC_PARENT,
    ChangeKind.ADD_CC_SECOND_ADULT,
    ChangeKind.COPY_SUPERVISOR,
    ChangeKind.COPY_SUPPORTER,
)
MAX_BODY = 20_000
# Never allowed in an email header: CR and LF would start a new header (a
# "Bcc:" smuggled into a subject), and no other C0/C1 control character, DEL
# or Unicode line separator has any business there either.
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ONE_LINE = "without line breaks or control characters"


def header_safe(value: str) -> bool:
    """True when ``value`` can go into an email header as it is."""
    return _UNSAFE_IN_HEADER.search(value) is None


def one_line(value: str) -> str:
    """``value`` with every character unsafe in a header made a space (for
    text from outside, such as an inbound email's decoded subject)."""
    return _UNSAFE_IN_HEADER.sub(" ", value)


def validate_header_text(value: str) -> None:
    """Field validator for text that becomes an email header (the subject)."""
    if not header_safe(value):
        raise ValidationError(f"Write the subject on one line, {ONE_LINE}.")


@dataclass(frozen=True, slots=True)
class Prepared:
    message: Message
    decision: Decision
    to: list[Person]
    people: dict[str, Person]
    findings: list[dict[str, Any]]


def send_message(
    *,
    actor: User,
    recipients: Sequence[Person],
    group: Group | None = None,
    channel: str,
    purpose: Purpose | None,
    subject: str,
    body: str,
    urgent_reason: str = "",
    preview: bool = False,
    read: inputs.Read | None = None,
) -> Message:
    """Check and (unless ``preview``) store and queue one message.

    Returns the message with ``decision`` filled in; with ``preview`` it is
    not saved (no pk) and nothing is logged. Raises ``ValidationError`` for
    input that cannot be judged (no recipients, empty text, another
    organisation's people). ``read`` is ``inputs.read_for(actor, recipients)``
    when the caller has read the register for its own checks already.
    """
    prepared = _prepare(
        actor, recipients, group, channel, purpose, subject, body, urgent_reason, read
    )
    if preview:
        return prepared.message
    return _store(actor, prepared)


def _validate(
    actor: User,
    recipients: Sequence[Person],
    group: Group | None,
    channel: str,
    subject: str,
    body: str,
) -> None:
    errors: dict[str, str] = {}
    org_id = actor.organisation_id
    if not recipients and group is None:
        errors["recipients"] = "Choose at least one person or a group."
    if any(p.organisation_id != org_id for p in recipients):
        errors["recipients"] = "Choose people from your own organisation."
    if group is not None and group.organisation_id != org_id:
        errors["group"] = "Choose a group from your own organisation."
    if channel not in Message.Channel.values:
        errors["channel"] = "Choose email or the SafeContact inbox."
    if not body.strip():
        errors["body"] = "Write the message."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the message under {MAX_BODY:,} characters."
    if len(subject) > 200:
        errors["subject"] = "Keep the subject under 200 characters."
    elif not header_safe(subject):
        errors["subject"] = f"Write the subject on one line, {ONE_LINE}."
    if errors:
        raise ValidationError(errors)


def _validate_headers(org: Organisation, people: Sequence[Person]) -> None:
    """Names and addresses that would go into the email's headers (``people``:
    everyone it goes to, including copies).

    The register should never hold a line break in a name, but older data or
    an import might: refuse here, clearly, rather than fail in the outbox.
    """
    for value in (org.name, org.email_from, org.inbox_address):
        if not header_safe(value):
            raise ValidationError(
                "The organisation's name or email address has a line break or "
                "control character in it; ask whoever runs SafeContact to correct it."
            )
    for person in people:
        if not (header_safe(str(person)) and header_safe(person.email)):
            name = one_line(str(person))
            raise ValidationError(
                {
                    "recipients": f"The register entry for {name} has a line break "
                    "or control character in the name or email address; ask the "
                    "Safeguarding Lead to correct it."
                }
            )


def _copied(decision: Decision, people: dict[str, Person]) -> list[Person]:
    """The people the decision copies in (a parent, a second adult)."""
    return [
        people[change.person_id]
        for change in decision.changes
        if change.kind in COPY_KINDS and change.person_id in people
    ]


def _prepare(
    actor: User,
    recipients: Sequence[Person],
    group: Group | None,
    channel: str,
    purpose: Purpose | None,
    subject: str,
    body: str,
    urgent_reason: str = "",
    read: inputs.Read | None = None,
) -> Prepared:
    _validate(actor, recipients, group, channel, subject, body)
    org = actor.organisation
    if org is None:
        raise ValidationError("Only members of an organisation can send messages.")
    if purpose is not None and purpose.organisation_id != org.pk:
        raise ValidationError(
            {"purpose": "Choose one of your organisation's purposes."}
        )
    in_subject, in_body = inputs.scan(subject), inputs.scan(body)
    built = inputs.message_request(
        actor=actor,
        org=org,
        to=recipients,
        group=group,
        channel=channel,
        purpose=purpose,
        now=timezone.now(),
        urgent_reason=urgent_reason,
        findings=in_subject + in_body,
        read=read,
    )
    if not built.to:
        raise ValidationError({"group": "Nobody else is in this group yet."})
    decision = decide(built.request, built.rules)
    people, to, sender_person = built.people, built.to, built.sender_person
    if channel == Message.Channel.EMAIL:
        _validate_headers(org, [*to, *_copied(decision, people)])
    findings = inputs.findings_json(in_subject, "subject") + inputs.findings_json(
        in_body, "body"
    )
    message = Message(
        organisation=org,
        sender=sender_person,
        author=actor,
        group=group,
        channel=channel,
        purpose=purpose,
        subject=subject.strip(),
        body=body,
        status=STATUS_FOR[decision.outcome],
        decision=decision_json(decision, people, findings),
        deliver_at=decision.deliver_at,
        urgent_reason=urgent_reason.strip(),
    )
    return Prepared(message, decision, to, people, findings)


def decision_json(
    decision: Decision, people: dict[str, Person], findings: list[dict[str, Any]]
) -> dict[str, Any]:
    def name(code: str | None) -> str:
        return str(people[code]) if code in people else ""

    return {
        "outcome": decision.outcome.value,
        "outcome_label": OUTCOME_LABELS[decision.outcome],
        "may_send": decision.may_send,
        "deliver_at": decision.deliver_at.isoformat() if decision.deliver_at else None,
        "reasons": [
            {
                "rule_id": r.rule_id,
                "effect": r.effect.value,
                "message": r.message,
                "guidance": r.guidance,
                "fix": r.fix,
                "person": r.person_id,
                "person_name": name(r.person_id),
            }
            for r in decision.reasons
        ],
        "changes": [
            {
                "kind": c.kind.value,
                "person": c.person_id,
                "person_name": name(c.person_id),
                "rule_id": c.rule_id,
            }
            for c in decision.changes
        ],
        "findings": findings,
    }


def _store(actor: User, prepared: Prepared) -> Message:
    # Reads happen before the write transaction: on SQLite it blocks every
    # other writer and on PostgreSQL the contact log's head row stays locked
    # from write_entry until commit, so the transaction is kept to inserts.
    message, decision = prepared.message, prepared.decision
    kinds = {c.kind for c in decision.changes}
    notify = message.status == Message.Status.HELD or ChangeKind.NOTIFY_LEAD in kinds
    leads = lead_users(message.organisation) if notify else []
    serious = serious_findings(prepared.findings, message.organisation)
    rows = _recipient_rows(message, prepared)
    made = (
        _deliveries(message, rows)
        if message.status in (Message.Status.QUEUED, Message.Status.DEFERRED)
        else []
    )
    message.evidence = carries_evidence(
        message.subject, message.body, prepared.findings
    )
    # Everything that does not depend on the contact log's head is built and
    # prepared now, outside the writers' lock: the rows, the outbox's
    # addresses, the log entry's content and its JSON, every column's value.
    inserts = [
        rawsql.prepare_insert(Message, [message]),
        rawsql.prepare_insert(Recipient, rows),
        rawsql.prepare_insert(Delivery, made),
    ]
    entry = prepare_entry(**_log_fields(message, actor=actor, rows=rows))
    with writer_turn():
        stored = _write(message, inserts, entry, leads, serious)
    if warn_early(stored) is not None:
        notify_leads(stored)
    return stored


@transaction.atomic(durable=True)
def _write(
    message: Message,
    inserts: Sequence[rawsql.Insert],
    entry: PendingEntry,
    leads: Sequence[User],
    serious: list[dict[str, Any]],
) -> Message:
    # Each insert is one hand-written statement prepared beforehand
    # (``rawsql.prepare_insert``); the recipients and outbox rows take the
    # message's key when they run.
    for pending in inserts:
        rawsql.run(pending)
    if leads:
        notify_leads(message, leads=leads)
    # Last, so the log's head row is locked for as short a time as possible.
    written = write_entry(entry)
    if serious:
        raise_alert(message, serious, written)
    return message


def _recipient_rows(message: Message, prepared: Prepared) -> list[Recipient]:
    decision = prepared.decision
    bcc = any(c.kind is ChangeKind.USE_BCC for c in decision.changes)
    role = Recipient.Role.BCC if bcc else Recipient.Role.TO
    rows = [Recipient(message=message, person=p, role=role) for p in prepared.to]
    if decision.outcome is not Outcome.BLOCK:
        seen = {p.pk for p in prepared.to}
        for change in decision.changes:
            person = prepared.people.get(change.person_id or "")
            if change.kind not in COPY_KINDS or person is None or person.pk in seen:
                continue
            seen.add(person.pk)
            copy_role = Recipient.Role.BCC if bcc else Recipient.Role.CC
            rows.append(
                Recipient(
                    message=message,
                    person=person,
                    role=copy_role,
                    added_by_rule=change.rule_id,
                )
            )
    return rows


def log_attempt(
    message: Message,
    *,
    actor: User | None,
    rows: Sequence[Recipient] | None = None,
) -> LedgerEntry:
    """The contact-log entry for an attempt: who, to whom, what was decided.

    The text itself is not copied into the log; its SHA-256 is, so any later
    change to the stored message shows.
    """
    return append_entry(**_log_fields(message, actor=actor, rows=rows))


def _log_fields(
    message: Message,
    *,
    actor: User | None,
    rows: Sequence[Recipient] | None = None,
) -> dict[str, Any]:
    """``append_entry``'s arguments for ``log_attempt``."""
    if rows is None:
        rows = list(message.recipient_rows.select_related("person"))
    content = {
        "message": str(message.code),
        "direction": message.direction,
        "channel": message.channel,
        "purpose": str(message.purpose.code) if message.purpose else None,
        "purpose_name": message.purpose.name if message.purpose else "",
        "sender": str(message.sender.code) if message.sender else None,
        "recipients": [
            {
                "person": str(r.person.code),
                "role": r.role,
                "added_by_rule": r.added_by_rule,
            }
            for r in rows
        ],
        "group": str(message.group.code) if message.group else None,
        "outcome": message.decision.get("outcome", ""),
        "status": message.status,
        "rules": [r["rule_id"] for r in message.decision.get("reasons", [])],
        "deliver_at": message.deliver_at,
        "urgent_reason": message.urgent_reason,
        "body_sha256": hashlib.sha256(
            f"{message.subject}\n{message.body}".encode()
        ).hexdigest(),
    }
    kind = (
        LedgerEntry.Kind.MESSAGE_INBOUND
        if message.direction == Message.Direction.INBOUND
        else LedgerEntry.Kind.MESSAGE_ATTEMPT
    )
    return {
        "organisation": message.organisation,
        "kind": kind,
        "content": content,
        "subjects": subjects_of(message, rows),
        "actor": actor,
    }


def subjects_of(message: Message, rows: Sequence[Recipient] | None = None) -> list[str]:
    rows = (
        rows
        if rows is not None
        else list(message.recipient_rows.select_related("person"))
    )
    codes = [str(r.person.code) for r in rows]
    if message.sender is not None:
        codes.insert(0, str(message.sender.code))
    if message.group is not None:
        codes.append(str(message.group.code))
    return codes


def serious_findings(
    findings: list[dict[str, Any]], organisation: Organisation
) -> list[dict[str, Any]]:
    threshold = organisation.content_hold_threshold
    return [f for f in findings if f["severity"] >= threshold]


def raise_alert(
    message: Message, findings: list[dict[str, Any]], entry: LedgerEntry | None
) -> Alert:
    alert = Alert.objects.create(
        organisation=message.organisation,
        message=message,
        ledger_entry=entry,
        findings=findings,
        severity=max(f["severity"] for f in findings),
    )
    notifications.alert_raised(alert)
    return alert


def lead_users(organisation: Organisation) -> list[User]:
    """The active Lead and deputies, who see held and flagged messages."""
    return list(
        User.objects.filter(
            organisation=organisation,
            role__in=(User.Role.LEAD, User.Role.DEPUTY),
            is_active=True,
        )
    )


def notify_leads(
    message: Message,
    reason: str = InboxItem.Reason.OVERSIGHT,
    *,
    leads: Sequence[User] | None = None,
) -> None:
    if leads is None:
        leads = lead_users(message.organisation)
    InboxItem.objects.bulk_create(
        [InboxItem(user=u, message=message, reason=reason) for u in leads],
        ignore_conflicts=True,
    )
    notifications.message_held(message)


def address(person: Person) -> str:
    return formataddr((str(person), person.email))


def queue_deliveries(
    message: Message,
    *,
    now: dt.datetime | None = None,
    rows: Sequence[Recipient] | None = None,
) -> Delivery:
    """The outbox rows for ``message``: one email to all its recipients, or,
    when someone's accessibility preferences ask for it, one row per channel
    and format (``contact/services/routing.py``). Returns the first.

    Deferred messages become due at ``deliver_at``; in-app messages use the
    same rows so they wait and are logged the same way.
    """
    if rows is None:
        rows = list(message.recipient_rows.select_related("person"))
    made = _deliveries(message, rows, now=now)
    rawsql.insert(Delivery, made)
    return made[0]


def _deliveries(
    message: Message, rows: Sequence[Recipient], *, now: dt.datetime | None = None
) -> list[Delivery]:
    """``queue_deliveries``' rows, not saved."""
    due = message.deliver_at or now or timezone.now()
    return [
        Delivery(
            organisation=message.organisation,
            message=message,
            next_attempt_at=due,
            **fields,
        )
        for fields in routing.outbox_rows(message, rows)
    ]
