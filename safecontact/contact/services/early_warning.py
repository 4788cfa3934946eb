"""Early warning: a sender's messages read together, not one at a time.

Grooming is a process. One compliment is nothing; compliments, then questions
about a child's parents, then a request for secrecy are the pattern the
research describes. After a message is stored, if it has evidence of its own
or the sender's risk window holds a grooming finding, the sender's recent
messages (this one last) go through the same pipeline as every scan; if this
message raised the sender to high (even with no finding of its own), the
Lead gets an early-warning alert naming the findings, in order, that raised
it (``safeguarding.screening.warning`` decides, and never twice for a rise). The alert also names the
conversation (the group, or else the thread) with its own level, read over
every sender's messages in it (``safeguarding.screening.conversation``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from safecontact.contact.models import Alert, Message
from safecontact.contact.services import conversations
from safecontact.contact.services.writers import writer_turn
from safecontact.ledger.services import append_entry
from safecontact.lib import rawsql
from safecontact.notifications import services as notifications
from safeguarding.screening import (
    INDICATORS,
    Severity,
    Thresholds,
    assess,
    get_indicator,
    warning,
)
from safeguarding.screening.findings import Finding
from safeguarding.screening.indicator_model import default_line_model
from safeguarding.screening.model import default_model
from safeguarding.screening.pipeline import Assessment
from safeguarding.screening.reasons import model_reasons
from safeguarding.screening.risk import RiskEvent

log = logging.getLogger(__name__)

# As many of the sender's messages as the risk model counts as "recent".
WINDOW = Thresholds().window
# How far past its operating point a line-model finding must be to count.
FIRM = Thresholds().model_margin


def warn_early(message: Message) -> Alert | None:
    """Raise an early-warning alert if ``message`` took its sender, or else
    its conversation read as one voice, to high.

    Call it after the message is committed; the caller tells the Lead."""
    if message.sender_id is None:
        return None
    # Most messages have no evidence and sit in windows with none: no level
    # can rise, and nothing more is read.
    if message.evidence:
        mine = shared = True
    else:
        mine, shared = _windows_hold_evidence(message)
    found = assess_sender(message) if mine else None
    if found is None:
        return _warn_for_conversation(message) if shared else None
    event, assessed, codes, texts = found
    conversation = conversations.assess_conversation(message)
    # The shipped model: the one ``assess`` read the messages with.
    reasons = model_reasons(event, texts, default_model())
    with writer_turn():
        return _raise(message, event, assessed, codes, reasons, conversation)


def _warn_for_conversation(message: Message) -> Alert | None:
    """Raise an early warning when ``message`` took its group or thread to
    high read as one voice, though no one sender is high: two adults can
    share the pattern between them. Reads only until it raises."""
    if not conversations.has_other_senders(message):
        return None  # one voice is its sender's: read only when shared
    conversation = conversations.assess_conversation(message)
    if not conversation.shared_rise_now:
        return None  # most messages: no rise, so no need to look further
    warned = _warned(conversation.messages, together=True)
    if not warning.shared_warning(conversation.level, conversation.read, warned):
        return None
    # The findings of those who share the rise, each from its own message
    # (never this body's); everyone's stay in the conversation's findings.
    sharing = set(conversation.level.pooled_senders)
    findings = [
        {**row, "field": "history"}
        for row in conversation.findings
        if row["sender"] in sharing
    ]
    with writer_turn():
        return _record(message, findings, (), conversation, None)


def assess_sender(
    message: Message,
) -> tuple[RiskEvent, list[Assessment], list[str], list[str]] | None:
    """The rise to high this message caused, with every message's assessment,
    code and text (oldest first), or None. Reads only."""
    if message.sender_id is None:
        return None
    mine = Message.objects.filter(
        organisation_id=message.organisation_id,
        sender_id=message.sender_id,
        id__lte=message.pk,
    )
    history = list(
        mine.order_by("-id").values_list("code", "subject", "body")[:WINDOW]
    )[::-1]
    texts = [f"{s}\n{b}" for _, s, b in history]
    assessed = list(assess(("sender", text) for text in texts))
    codes = [str(code) for code, _, _ in history]
    last = assessed[-1] if assessed else None
    if last is None or last.event is None or not last.event.early_warning:
        return None  # most messages: no rise, so no need to look further
    event = warning.sender_warning(assessed, _warned(codes, together=False))
    if event is None:
        return None
    return event, assessed, codes, texts


def carries_evidence(subject: str, body: str, findings: Sequence[Any]) -> bool:
    """Whether a message holds evidence a risk level can rise on: a word-list
    finding, or a line the line model firmly names. Worked out once, when the
    message is stored (``Message.evidence``)."""
    if findings:
        return True
    flagged = default_line_model().flagged([f"{subject}\n{body}"]).values()
    return any(f.margin is not None and f.margin >= FIRM for f in flagged)


def _windows_hold_evidence(message: Message) -> tuple[bool, bool]:
    """Whether the sender's risk window, and the conversation's (their last
    ``WINDOW`` messages each, this one included), hold a message with
    evidence. A level rises on a message with no evidence of its own only
    when its window holds some, so an ordinary message in an ordinary
    conversation is not read again. One statement finds the newest message
    with evidence of each by a partial index (hand-written: on the send path
    the ORM's query building cost ten times the query); only when there is
    one are the messages after it counted. Messages stored before
    ``evidence`` existed count only for their word-list findings (the
    migration marked those)."""
    mine_since, theirs_since = rawsql.fetch(*_newest_evidence_sql(message))[0]
    # Only the few senders and conversations with evidence of late go on.
    mine = mine_since is not None and _within_window(
        Message.objects.filter(sender_id=message.sender_id, id__lte=message.pk),
        mine_since,
    )
    theirs = theirs_since is not None and _within_window(
        conversations.up_to(message), theirs_since
    )
    return mine, theirs


def _newest_evidence_sql(message: Message) -> tuple[str, list[Any]]:
    # The partial indexes' own condition, as each database writes it.
    flag = '"evidence"' if connection.vendor == "postgresql" else '"evidence" = 1'

    def newest(column: str) -> str:
        return (
            f'(SELECT "id" FROM "contact_message" WHERE "{column}" = %s AND {flag}'  # noqa: S608
            ' AND "id" <= %s ORDER BY "id" DESC LIMIT 1)'
        )

    parts, params = [newest("sender_id")], [message.sender_id, message.pk]
    if message.group_id is not None:
        parts.append(newest("group_id"))
        params += [message.group_id, message.pk]
    elif message.thread_id is not None:
        # A thread's messages come after its first, so the first counts only
        # when none of the others holds evidence.
        root = f'(SELECT "id" FROM "contact_message" WHERE "id" = %s AND {flag})'  # noqa: S608
        parts.append(f"COALESCE({newest('thread_id')}, {root})")
        params += [message.thread_id, message.pk, message.thread_id]
    else:
        parts.append("NULL")
    return f"SELECT {', '.join(parts)}", params


def _within_window(messages: QuerySet[Message], since: int) -> bool:
    """Whether the message ``since`` is among the last ``WINDOW`` of them."""
    later = messages.filter(id__gte=since).order_by().values("id")[: WINDOW + 1]
    return later.count() <= WINDOW


def _warned(codes: Sequence[str], *, together: bool) -> list[int]:
    """Indexes among ``codes`` of messages that already carry an early
    warning of the kind (a sender's own, or a conversation's shared one)."""
    raised = Alert.objects.filter(
        kind=Alert.Kind.EARLY_WARNING,
        raised_by_conversation=together,
        message__code__in=codes[:-1],
    ).values_list("message__code", flat=True)
    done = {str(code) for code in raised}
    return [i for i, code in enumerate(codes) if code in done]


def _findings(
    event: RiskEvent, assessed: list[Assessment], codes: list[str]
) -> list[dict[str, Any]]:
    rows = []
    for contribution in event.reasons:
        if contribution.indicator not in INDICATORS:
            continue  # the learned model's share has no words to show
        indicator = get_indicator(contribution.indicator)
        found = _finding_for(assessed[contribution.message_index], indicator.id)
        rows.append(
            {
                "field": "history",
                "message": codes[contribution.message_index],
                "indicator": indicator.id,
                "title": indicator.title,
                "severity": int(indicator.severity),
                "severity_label": indicator.severity.label,
                "evidence": contribution.evidence,
                "explanation": found.explanation if found else indicator.explanation,
                "next_step": indicator.next_step,
                **conversations.source_of(found),
            }
        )
    return rows


def _finding_for(assessment: Assessment, indicator: str) -> Finding | None:
    return next((f for f in assessment.findings if f.indicator == indicator), None)


def _raise(
    message: Message,
    event: RiskEvent,
    assessed: list[Assessment],
    codes: list[str],
    reasons: tuple[str, ...],
    conversation: conversations.Assessed,
) -> Alert:
    findings = _findings(event, assessed, codes)
    return _record(message, findings, reasons, conversation, len(codes))


@transaction.atomic(durable=True)
def _record(
    message: Message,
    findings: list[dict[str, Any]],
    reasons: tuple[str, ...],
    conversation: conversations.Assessed,
    sender_read: int | None,
) -> Alert:
    """The alert and its ledger entry; ``sender_read`` is how many of the
    sender's messages raised it, None when the conversation read as one
    voice did."""
    together = sender_read is None
    # Read as one voice, the alert is about those who share the rise, not
    # everyone with a finding; a sender's own alert is about that sender.
    own = [str(message.sender.code)] if message.sender else []
    subjects = list(conversation.sharing) if together else own
    entry = append_entry(
        organisation=message.organisation,
        kind="alert.raised",
        content={
            "alert": "early_warning",
            "message": str(message.code),
            "sender": str(message.sender.code) if message.sender else None,
            "indicators": [f["indicator"] for f in findings],
            "messages_read": conversation.read if together else sender_read,
            "conversation_level": conversation.level.level.label,
            "raised_by_conversation": together,
        },
        subjects=subjects,
    )
    alert = Alert.objects.create(
        organisation=message.organisation,
        message=message,
        ledger_entry=entry,
        kind=Alert.Kind.EARLY_WARNING,
        findings=findings,
        severity=int(Severity.HIGH),
        conversation=conversation.name,
        conversation_level=int(conversation.level.level),
        conversation_findings=conversation.findings,
        conversation_reasons=list(conversation.level.reasons),
        model_reasons=list(reasons),
        raised_by_conversation=together,
    )
    log.info("early warning %s raised for message %s", alert.code, message.code)
    notifications.alert_raised(alert)
    return alert
