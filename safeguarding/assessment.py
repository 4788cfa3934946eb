"""Risk assessments of online activities: scores, the facts that bear on them,
and when a signed-off assessment must be looked at again.

The guidance asks organisations to risk-assess online activities for the
chance of unsafe contact and to put measures in place. An assessment lists
hazards, each scored likelihood x impact before and after its controls. The
facts the register knows about the activity's group (platform ages,
unchecked adults, former workers, consent, hours, one-to-one contact,
scanner alerts) are recorded at sign-off; when they get worse, the
assessment is flagged for review with the reasons in plain words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SCALE = range(1, 6)


class AssessmentError(Exception):
    """A score or fact outside what an assessment can hold."""


class Band(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


BAND_LABELS = {
    Band.LOW: "Low",
    Band.MEDIUM: "Medium",
    Band.HIGH: "High",
    Band.VERY_HIGH: "Very high",
}


def score(likelihood: int, impact: int) -> int:
    """Likelihood (1 rare .. 5 almost certain) times impact (1 minor .. 5 severe)."""
    if likelihood not in SCALE or impact not in SCALE:
        raise AssessmentError("Likelihood and impact are each from 1 to 5.")
    return likelihood * impact


def band(value: int) -> Band:
    """The usual 5 x 5 matrix: 1-4 low, 5-9 medium, 10-15 high, 16-25 very high."""
    if not 1 <= value <= 25:
        raise AssessmentError("A risk score is from 1 to 25.")
    if value <= 4:
        return Band.LOW
    if value <= 9:
        return Band.MEDIUM
    if value <= 15:
        return Band.HIGH
    return Band.VERY_HIGH


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """What the register says about the group an activity runs in."""

    platform: str
    platform_minimum_age: int
    platform_approved: bool
    members: int
    children: int
    under_minimum_age: int
    unchecked_adults: int
    former_workers: int
    without_consent: int
    hours_agreed: bool
    one_to_one_messages: int
    alerts: int

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> GroupFacts:
        try:
            return cls(**{name: data[name] for name in cls.__slots__})  # type: ignore[arg-type]
        except KeyError as missing:
            raise AssessmentError(f"Recorded facts lack {missing}.") from None


@dataclass(frozen=True, slots=True)
class Concern:
    """A fact that bears on the risk, in words a volunteer understands."""

    key: str
    text: str


def concerns(facts: GroupFacts) -> tuple[Concern, ...]:
    """The facts an assessor should weigh, worst first."""
    found: list[Concern] = []

    def add(key: str, count: int, one: str, many: str) -> None:
        if count:
            found.append(Concern(key, one if count == 1 else many.format(n=count)))

    add(
        "unchecked_adults",
        facts.unchecked_adults,
        "An adult without a current DBS check is in this children's group.",
        "{n} adults without a current DBS check are in this children's group.",
    )
    add(
        "former_workers",
        facts.former_workers,
        "Someone who has stopped volunteering is still in the group.",
        "{n} people who have stopped volunteering are still in the group.",
    )
    add(
        "under_minimum_age",
        facts.under_minimum_age,
        f"A member is under {facts.platform}'s minimum age "
        f"({facts.platform_minimum_age}) or has no date of birth.",
        f"{{n}} members are under {facts.platform}'s minimum age "
        f"({facts.platform_minimum_age}) or have no date of birth.",
    )
    add(
        "without_consent",
        facts.without_consent,
        "A member has no current consent covering this group.",
        "{n} members have no current consent covering this group.",
    )
    add(
        "alerts",
        facts.alerts,
        "An alert was raised about a message in this group or its chat.",
        "{n} alerts were raised about messages in this group or its chat.",
    )
    add(
        "one_to_one_messages",
        facts.one_to_one_messages,
        "A worker sent a one-to-one message to a member of this group.",
        "Workers sent {n} one-to-one messages to members of this group.",
    )
    if not facts.platform_approved:
        found.append(
            Concern("platform", f"{facts.platform} has not been approved for use.")
        )
    if not facts.hours_agreed:
        found.append(Concern("hours", "No agreed hours are set for this group."))
    return tuple(found)


# Facts that make an assessment out of date when they rise after sign-off.
_RISING = {
    "unchecked_adults": "An adult in the group is now without a current DBS check.",
    "former_workers": "Someone who has stopped volunteering is still in the group.",
    "under_minimum_age": "A member under the platform's minimum age joined.",
    "without_consent": "More members now lack current consent.",
    "alerts": "The scanner raised a new alert in the group.",
    "one_to_one_messages": "There has been new one-to-one contact with members.",
}


def review_reasons(signed: GroupFacts, now: GroupFacts) -> tuple[str, ...]:
    """Why a signed-off assessment needs another look, or () if it does not."""
    reasons = [
        text
        for key, text in _RISING.items()
        if int(getattr(now, key)) > int(getattr(signed, key))
    ]
    if now.platform != signed.platform:
        reasons.append(f"The group moved from {signed.platform} to {now.platform}.")
    elif signed.platform_approved and not now.platform_approved:
        reasons.append(f"{now.platform} is no longer approved.")
    if signed.hours_agreed and not now.hours_agreed:
        reasons.append("The group's agreed hours were removed.")
    return tuple(reasons)
