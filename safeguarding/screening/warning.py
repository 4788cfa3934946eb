"""When a rise to high warrants an early warning, and with what evidence.

The product reads a sender's recent messages (or a conversation's) afresh
after each message. A level can rise on a message with no finding of its
own: the model's lean needs five messages, and the fifth may be a greeting.
The warning belongs on that message all the same, and its evidence is the
findings in the risk window that made the level rise, never the ordinary
message. Because each reading starts afresh, the same rise can be seen again
on a later message; a sender (or conversation) already warned about within
the messages read is not warned about again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from safeguarding.screening.conversation import ConversationLevel
from safeguarding.screening.pipeline import Assessment
from safeguarding.screening.risk import RiskEvent, Thresholds


def sender_warning(
    assessed: Sequence[Assessment], warned: Collection[int] = ()
) -> RiskEvent | None:
    """The rise to high that the last of ``assessed`` (one sender's recent
    messages, oldest first) caused, if it warrants a warning; else None.

    ``warned`` are the indexes of messages among them that already carry
    this sender's early warning. The event's ``reasons`` are the evidence.
    """
    if not assessed:
        return None
    event = assessed[-1].event
    if event is None or not event.early_warning or not event.reasons:
        return None  # no rise, or one with no finding to show
    if _already(warned, len(assessed)):
        return None
    return event


def shared_warning(
    level: ConversationLevel,
    read: int,
    warned: Collection[int] = (),
    thresholds: Thresholds | None = None,
) -> bool:
    """Whether the last of ``read`` messages took the conversation, read as
    one voice and shared by two or more senders, to high, and no shared
    warning was raised on an earlier message (``warned``) in the pooled
    voice's risk window: a rise after that window is a new one."""
    if level.shared_high_at != read - 1 or not level.steps:
        return False
    window = (thresholds or Thresholds()).window
    return not _already(warned, read, since=read - window)


def _already(warned: Collection[int], read: int, since: int = 0) -> bool:
    return any(max(since, 0) <= index < read - 1 for index in warned)
