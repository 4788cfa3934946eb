"""Risk per conversation: a thread or group gets its own level.

``ConversationRisk`` follows each sender, because grooming is one person's
pattern. But a Lead looks after conversations: two adults in one group, one
flattering a child and the other asking about her parents' hours, may each
stay below high while the group as a whole shows the process. So the
conversation's level is the higher of its highest sender and of all its
messages read as one voice, with every finding of every sender in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from safeguarding.screening.findings import Finding
from safeguarding.screening.risk import (
    Contribution,
    ConversationRisk,
    Level,
    RiskEvent,
    Thresholds,
)

TOGETHER = "\x00all"  # the pooled voice: never a real sender's name


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation, as the conversation level reads it."""

    sender: str
    findings: tuple[Finding, ...]
    model_score: float | None = None  # the risk model's log-odds, if scored


@dataclass(frozen=True, slots=True)
class Step:
    """One finding in the conversation, where it came and from whom."""

    message_index: int
    sender: str
    finding: Finding


@dataclass(frozen=True, slots=True)
class ConversationLevel:
    level: Level
    senders: Mapping[str, Level]  # each sender's own level
    steps: tuple[Step, ...]  # every finding of every sender, in order
    together: Level  # the level of all messages read as one voice
    reasons: tuple[str, ...]  # plain words: why the conversation has its level
    # The message that first took the conversation to high (one sender or
    # all of them read as one voice), or None: an alert is raised there.
    high_at: int | None = None
    # The message that took all messages read as one voice to high, or None,
    # and the senders whose grooming findings were counted in its window
    # then and who were not high on their own by that message.
    pooled_high_at: int | None = None
    pooled_senders: tuple[str, ...] = ()

    @property
    def shared_high_at(self) -> int | None:
        """The message at which two or more senders, none of them high on
        their own, took the conversation read as one voice to high; else None.

        One sender's pattern is that sender's own early warning; a sender
        already high has had theirs, so their findings alone do not make
        the rise shared. Counted over the pooled voice's risk window only,
        not every message read."""
        return self.pooled_high_at if len(self.pooled_senders) > 1 else None

    @property
    def indicators(self) -> tuple[str, ...]:
        """Distinct indicators, in the order they first appeared."""
        return tuple(dict.fromkeys(s.finding.indicator for s in self.steps))


def conversation_level(
    messages: Sequence[Message], thresholds: Thresholds | None = None
) -> ConversationLevel:
    """The level of one conversation from its messages, oldest first."""
    by_sender = ConversationRisk(thresholds)
    pooled = ConversationRisk(thresholds)
    steps: list[Step] = []
    high_at = pooled_high_at = None
    pooled_senders: tuple[str, ...] = ()
    for index, message in enumerate(messages):
        score = message.model_score
        one = by_sender.add(message.sender, message.findings, model_score=score)
        all_ = pooled.add(TOGETHER, message.findings, model_score=score)
        steps += [Step(index, message.sender, f) for f in message.findings]
        rose = any(e is not None and e.early_warning for e in (one, all_))
        if rose and high_at is None:
            high_at = index
        if all_ is not None and all_.early_warning:
            pooled_high_at = index
            pooled_senders = _sharing(all_, messages, by_sender)
    senders = {m.sender: by_sender.level(m.sender) for m in messages}
    highest = max(senders.values(), default=Level.NONE)
    together = pooled.level(TOGETHER)
    level = max(highest, together)
    return ConversationLevel(
        level=level,
        senders=MappingProxyType(senders),
        steps=tuple(steps),
        together=together,
        reasons=_reasons(senders, highest, together, pooled_senders),
        high_at=high_at,
        pooled_high_at=pooled_high_at,
        pooled_senders=pooled_senders,
    )


def _sharing(
    event: RiskEvent, messages: Sequence[Message], by_sender: ConversationRisk
) -> tuple[str, ...]:
    """The senders whose grooming findings the pooled voice counted when it
    rose, leaving out any already high on their own (a phone number shared
    is personal data, not a step of the pattern)."""
    named = (messages[c.message_index].sender for c in event.reasons if _grooming(c))
    return tuple(
        s for s in dict.fromkeys(named) if by_sender.level(s) is not Level.HIGH
    )


def _grooming(contribution: Contribution) -> bool:
    return contribution.indicator.startswith("grooming.")


def _reasons(
    senders: Mapping[str, Level],
    highest: Level,
    together: Level,
    sharing: tuple[str, ...],
) -> tuple[str, ...]:
    reasons = []
    top = [name for name, level in senders.items() if level is highest]
    if highest > Level.NONE:
        who = ", ".join(top)
        reasons.append(f"Highest single sender ({who}): {highest.label}.")
    if together > highest:
        reasons.append(
            f"Read together, the messages of {len(senders)} senders reach "
            f"{together.label}: no one sender does, but between them they show "
            "the pattern."
        )
    elif len(sharing) > 1:
        reasons.append(
            f"Read together, the messages of {', '.join(sharing)} also reach "
            f"{together.label}: none of them does on their own, but between them "
            "they show the pattern."
        )
    if not reasons:
        reasons.append("Nothing in this conversation raised its level.")
    return tuple(reasons)
