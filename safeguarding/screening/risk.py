"""Conversation risk: findings accumulate per sender into a level.

Grooming is a process, not a message (O'Connell 2003): one compliment or one
question about age means little, but flattery, then questions about parents'
routines, then a request for photos and for secrecy is the pattern the
research describes. So the level of a sender rests on the *combination* of
different grooming stages seen in their recent messages, and every rise is
recorded with the findings, in order, that caused it. Nothing here reads a
clock: "recent" is counted in the sender's own messages.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from safeguarding.screening.errors import ScreeningError
from safeguarding.screening.findings import Finding


class Level(enum.IntEnum):
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


# How much one message showing each indicator adds to its sender's score.
POINTS: Mapping[str, float] = MappingProxyType(
    {
        "grooming.flattery": 1.0,
        "grooming.probing": 1.5,
        "grooming.isolation": 2.0,
        "grooming.platform_move": 1.5,
        "grooming.gifts": 1.5,
        "grooming.secrecy": 3.0,
        "grooming.image_request": 2.5,
        "grooming.meeting": 2.0,
        "grooming.sexual": 2.5,
        "grooming.coercion": 3.0,
        "peer.bullying": 1.5,
        "peer.threat": 2.5,
        "peer.image_sharing": 3.0,
        "wellbeing.self_harm": 3.0,
        "model.grooming": 1.0,
    }
)
# Stages where contact turns into harm; high needs one of them.
HARM_STAGES = frozenset(
    {
        "grooming.secrecy",
        "grooming.image_request",
        "grooming.meeting",
        "grooming.sexual",
        "grooming.coercion",
    }
)
PII_POINTS = 0.5
REPEAT_CAP = 3  # an indicator counts at most this many times in the window


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score needed for each level, and what high needs.

    Word lists alone: high needs ``high`` points and ``high_stages`` distinct
    grooming indicators, one of them a harm stage.

    With a model score per message (``add(..., model_score=...)``) each sender
    also has a *lean*: how much their messages, taken together, read like an
    offender's rather than like a child's or an ordinary group chat. It is a
    decaying average of the message log-odds (clipped to ``lean_clip``, old
    messages fading by ``lean_decay`` per message) that starts from
    ``lean_prior`` as if ``lean_prior_weight`` ordinary messages had come
    first, so one odd message does not make a lean. Then high needs
    ``lean_weight * lean + points >= assisted_high``, at least one grooming
    finding as evidence and ``lean_min_messages`` messages: the more a
    sender's talk reads like grooming, the fewer word-list findings it takes,
    and the more findings, the less the lean must show. The constants were
    chosen on out-of-fold model scores (``benchmarks/eval_screening.py``).
    """

    low: float = 0.5
    medium: float = 4.0
    high: float = 9.0
    high_stages: int = 3
    window: int = 150  # the sender's own messages that count as "recent"
    assisted_high: float = 6.0
    lean_weight: float = 50.0
    lean_clip: float = 3.0
    lean_decay: float = 0.998
    lean_prior: float = -1.0
    lean_prior_weight: float = 2.0
    lean_min_messages: int = 5
    # A line-model finding is evidence (it names a grooming indicator, so it
    # can make a lean count) when its score is ``model_margin`` log-odds past
    # its operating point, and adds ``model_points`` times its indicator's
    # points. Chosen out of fold: as points, model findings raised decoys
    # and ordinary chats as fast as they raised detection.
    model_points: float = 0.0
    model_margin: float = 1.0


@dataclass(frozen=True, slots=True)
class Contribution:
    """One indicator in one message, and the points it added."""

    message_index: int
    indicator: str
    evidence: str
    points: float
    source: str = "word list"  # or "model": the line model named it


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A sender's level rose; ``reasons`` are the recent findings, in order."""

    message_index: int
    sender: str
    previous: Level
    level: Level
    score: float
    reasons: tuple[Contribution, ...]
    lean: float | None = None  # decaying mean model log-odds of the sender

    @property
    def early_warning(self) -> bool:
        return self.level is Level.HIGH


class _Sender:
    __slots__ = ("count", "grooming", "level", "recent", "summary", "total", "weight")

    def __init__(self) -> None:
        self.count = 0
        self.level = Level.NONE
        self.recent: deque[tuple[int, Contribution]] = deque()
        self.grooming = 0  # grooming findings among ``recent``
        self.total = 0.0  # decayed sum of clipped model scores
        self.weight = 0.0  # decayed number of scored messages
        # (reasons, score, grooming stages) of ``recent``, kept until it
        # changes: a sender with grooming evidence is looked at on every
        # message, and most messages change nothing but the lean.
        self.summary: tuple[tuple[Contribution, ...], float, frozenset[str]] | None
        self.summary = None

    def lean(self, thresholds: Thresholds) -> float | None:
        if not self.weight:
            return None
        prior = thresholds.lean_prior_weight
        return (self.total + prior * thresholds.lean_prior) / (self.weight + prior)


class ConversationRisk:
    """Feed it messages in order; it tracks each sender's level and the
    conversation's (the highest of any sender)."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self._senders: dict[str, _Sender] = {}
        self._index = 0
        self.events: list[RiskEvent] = []

    def add(
        self,
        sender: str,
        findings: Sequence[Finding],
        *,
        extra: Iterable[Contribution] = (),
        model_score: float | None = None,
    ) -> RiskEvent | None:
        """Record one message; return the event if its sender's level rose."""
        state = self._senders.get(sender)
        if state is None:
            state = self._senders[sender] = _Sender()
        index, self._index = self._index, self._index + 1
        state.count += 1
        t = self.thresholds
        if model_score is not None:
            # min(max(...)) by comparisons: the same number, with no calls.
            clip = t.lean_clip
            clipped = model_score
            if clipped < -clip:
                clipped = -clip
            elif clipped > clip:
                clipped = clip
            state.total = state.total * t.lean_decay + clipped
            state.weight = state.weight * t.lean_decay + 1.0
        added = False
        if findings or extra:
            found = _contributions(index, findings, t)
            for contribution in (*found, *extra):
                state.recent.append((state.count, contribution))
                state.grooming += contribution.indicator.startswith("grooming.")
                added = True
        recent = state.recent
        changed = added
        while recent and recent[0][0] <= state.count - t.window:
            _, gone = recent.popleft()
            state.grooming -= gone.indicator.startswith("grooming.")
            changed = True
        if changed:
            state.summary = None
        # Nothing new and no grooming evidence held: the level cannot rise.
        if not added and not state.grooming:
            return None
        return self._update(sender, state, index)

    def level(self, sender: str | None = None) -> Level:
        """A sender's current level, or the conversation's if none is named."""
        if sender is not None:
            return (
                self._senders[sender].level if sender in self._senders else Level.NONE
            )
        return max((s.level for s in self._senders.values()), default=Level.NONE)

    def explain(self, sender: str) -> tuple[Contribution, ...]:
        """The recent findings behind a sender's level, in message order."""
        if sender not in self._senders:
            raise ScreeningError(f"no messages from {sender!r}")
        return tuple(c for _, c in self._senders[sender].recent)

    def _update(self, sender: str, state: _Sender, index: int) -> RiskEvent | None:
        if state.level is Level.HIGH:
            return None  # nothing above it
        if state.summary is None:
            reasons = tuple(c for _, c in state.recent)
            state.summary = (reasons, score_of(reasons), _stages(reasons))
        reasons, score, stages = state.summary
        lean = state.lean(self.thresholds)
        level = _level(stages, score, self.thresholds, lean, state.count)
        if level <= state.level:
            return None
        event = RiskEvent(index, sender, state.level, level, score, reasons, lean)
        state.level = level
        self.events.append(event)
        return event


def _contributions(
    index: int, findings: Sequence[Finding], thresholds: Thresholds
) -> list[Contribution]:
    seen: set[str] = set()
    out: list[Contribution] = []
    for finding in findings:
        model = finding.source == "model"
        if finding.indicator in seen or (model and not _firm(finding, thresholds)):
            continue
        seen.add(finding.indicator)
        points = POINTS.get(finding.indicator, PII_POINTS)
        if model:
            points *= thresholds.model_points
        contribution = Contribution(
            index, finding.indicator, finding.evidence, points, finding.source
        )
        out.append(contribution)
    return out


def _firm(finding: Finding, thresholds: Thresholds) -> bool:
    return finding.margin is None or finding.margin >= thresholds.model_margin


def score_of(reasons: Sequence[Contribution]) -> float:
    """Sum of points, each indicator counted at most ``REPEAT_CAP`` times
    (evidence that adds no points takes none of those turns)."""
    counts: dict[str, int] = {}
    total = 0.0
    for reason in reasons:
        if not reason.points:
            continue
        counts[reason.indicator] = counts.get(reason.indicator, 0) + 1
        if counts[reason.indicator] <= REPEAT_CAP:
            total += reason.points
    return total


def level_of(
    reasons: Sequence[Contribution],
    score: float,
    thresholds: Thresholds,
    lean: float | None = None,
    messages: int = 0,
) -> Level:
    return _level(_stages(reasons), score, thresholds, lean, messages)


def _stages(reasons: Sequence[Contribution]) -> frozenset[str]:
    return frozenset(
        r.indicator for r in reasons if r.indicator.startswith("grooming.")
    )


def _level(
    stages: frozenset[str],
    score: float,
    thresholds: Thresholds,
    lean: float | None,
    messages: int,
) -> Level:
    if _is_high(stages, score, thresholds, lean, messages):
        return Level.HIGH
    if score >= thresholds.medium:
        return Level.MEDIUM
    if score >= thresholds.low:
        return Level.LOW
    return Level.NONE


def _is_high(
    stages: frozenset[str],
    score: float,
    thresholds: Thresholds,
    lean: float | None,
    messages: int,
) -> bool:
    if lean is None:
        return (
            bool(stages & HARM_STAGES)
            and score >= thresholds.high
            and len(stages) >= thresholds.high_stages
        )
    return (
        bool(stages)
        and messages >= thresholds.lean_min_messages
        and thresholds.lean_weight * lean + score >= thresholds.assisted_high
    )
