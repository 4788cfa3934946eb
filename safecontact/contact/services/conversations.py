"""A message's conversation (its group, or else its thread) and its level.

Builds the core's ``conversation.Message`` values from stored messages and
asks ``conversation_level`` for the level; reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from safecontact.contact.models import Message
from safeguarding.screening import INDICATORS, assess
from safeguarding.screening import conversation as core
from safeguarding.screening.findings import Finding

# The conversation's latest messages read for its level (oldest first).
LIMIT = 500


@dataclass(frozen=True, slots=True)
class Assessed:
    name: str  # the conversation in plain words, e.g. 'the group "Choir"'
    level: core.ConversationLevel
    findings: list[dict[str, Any]]  # every sender's findings, in order
    read: int  # how many of its messages were read, the given one last
    # The codes of the messages read, oldest first.
    messages: tuple[str, ...] = ()
    # The codes of the people who share its rise read as one voice
    # (``ConversationLevel.pooled_senders``), in order.
    sharing: tuple[str, ...] = ()

    @property
    def shared_rise_now(self) -> bool:
        """The given message took the conversation, read as one voice, to
        high, with two or more senders sharing the pattern
        (``ConversationLevel.shared_high_at``)."""
        return self.level.shared_high_at == self.read - 1


def source_of(finding: Finding | None) -> dict[str, Any]:
    """Who found it, for the pages: the word lists or the line model."""
    if finding is None:
        return {"source": "word list"}
    return {
        "source": finding.source,
        "confidence": finding.confidence,
        "words": list(finding.words),
    }


def assess_conversation(message: Message) -> Assessed:
    """The level of ``message``'s conversation up to and including it."""
    rows = list(
        _conversation(message)
        .filter(id__lte=message.pk)
        .select_related("sender")
        .order_by("-id")[:LIMIT]
    )[::-1]
    labels = _labels(rows)
    senders = [labels.get(m.sender_id, "Unknown sender") for m in rows]
    texts = [f"{m.subject}\n{m.body}" for m in rows]
    assessed = list(assess(zip(senders, texts, strict=True)))
    level = core.conversation_level(
        [core.Message(a.sender, a.findings, a.model_score) for a in assessed]
    )
    findings = [_row(step, rows) for step in level.steps]
    codes = {labels[m.sender_id]: str(m.sender.code) for m in rows if m.sender}
    return Assessed(
        _name(message),
        level,
        findings,
        len(rows),
        tuple(str(m.code) for m in rows),
        tuple(codes[s] for s in level.pooled_senders if s in codes),
    )


def _labels(rows: list[Message]) -> dict[int | None, str]:
    """Each sender's name as the pages show it, told apart when two people
    share one ("Sam Lee", "Sam Lee (2)"): the core follows senders by these
    labels, so two people must never be read as one voice."""
    labels: dict[int | None, str] = {}
    taken: dict[str, int] = {}
    for m in rows:
        if m.sender is None or m.sender_id in labels:
            continue
        name = str(m.sender)
        taken[name] = taken.get(name, 0) + 1
        labels[m.sender_id] = name if taken[name] == 1 else f"{name} ({taken[name]})"
    return labels


def has_other_senders(message: Message) -> bool:
    """Someone besides ``message``'s sender has written in its conversation
    (one query, at most two rows read)."""
    others = _conversation(message).filter(id__lte=message.pk)
    senders = others.exclude(sender_id=None).order_by().values("sender_id")
    return len(senders.distinct()[:2]) > 1


def up_to(message: Message) -> Any:
    """The messages of ``message``'s conversation up to and including it."""
    return _conversation(message).filter(id__lte=message.pk)


def _conversation(message: Message) -> Any:
    # By the group's or the thread's own index: a group or a thread is one
    # organisation's, so asking for the organisation too could only make the
    # database walk the organisation's messages.
    if message.group_id is not None:
        return Message.objects.filter(group_id=message.group_id)
    root = message.thread_id or message.pk
    return Message.objects.filter(Q(pk=root) | Q(thread_id=root))


def _name(message: Message) -> str:
    if message.group_id is not None:
        return f"the group \u201c{message.group}\u201d"
    root = message.thread or message
    if root.subject:
        return f"the conversation \u201c{root.subject}\u201d"
    return f"the conversation started on {root.created_at:%-d %b %Y}"


def _row(step: core.Step, rows: list[Message]) -> dict[str, Any]:
    finding = step.finding
    known = INDICATORS.get(finding.indicator)
    return {
        "message": str(rows[step.message_index].code),
        "sender": step.sender,
        "indicator": finding.indicator,
        "title": known.title if known else finding.indicator,
        "severity": int(finding.severity),
        "severity_label": finding.severity.label,
        "evidence": finding.evidence,
        "explanation": finding.explanation,
        "next_step": finding.next_step,
        **source_of(finding),
    }
