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
from safeguarding.screening.risk import ConversationRisk, Level, Thresholds

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
    high_at = None
    for index, message in enumerate(messages):
        score = message.model_score
        one = by_sender.add(message.sender, message.findings, model_score=score)
        all_ = pooled.add(TOGETHER, message.findings, model_score=score)
        steps += [Step(index, message.sender, f) for f in message.findings]
        rose = any(e is not None and e.early_warning for e in (one, all_))
        if rose and high_at is None:
            high_at = index
    senders = {m.sender: by_sender.level(m.sender) for m in messages}
    highest = max(senders.values(), default=Level.NONE)
    together = pooled.level(TOGETHER)
    level = max(highest, together)
    return ConversationLevel(
        level=level,
        senders=MappingProxyType(senders),
        steps=tuple(steps),
        together=together,
        reasons=_reasons(senders, highest, together),
        high_at=high_at,
    )


def _reasons(
    senders: Mapping[str, Level], highest: Level, together: Level
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
    if not reasons:
        reasons.append("Nothing in this conversation raised its level.")
    return tuple(reasons)
