"""What the scanner reports: findings with their evidence.

Shared by the scanner (which makes them) and the policy engine (which holds a
message when a finding reaches the organisation's threshold).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so thresholds compare with >=."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the scanner saw, always with the text that shows it.

    ``start``/``end`` are character offsets into the scanned text (end
    exclusive); ``evidence`` is that slice, kept so a finding never stands
    without what it is about.
    """

    indicator: str  # taxonomy id, e.g. "grooming.secrecy" or "pii.phone"
    severity: Severity
    start: int
    end: int
    evidence: str
    explanation: str  # plain words a Safeguarding Lead can act on
    next_step: str  # what to do about it
    # Who found it: the word lists ("word list") or the line model ("model");
    # a model finding also says how sure it is (0-1) and the words that moved it.
    source: str = "word list"
    confidence: float | None = None
    words: tuple[str, ...] = ()
    # A model finding's log-odds past its indicator's operating point: the
    # conversation level counts it as evidence only when it is clearly past.
    margin: float | None = None
