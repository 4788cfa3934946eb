"""What the policy engine answers: an outcome, every reason, the changes."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Outcome(enum.StrEnum):
    ALLOW = "allow"
    ALLOW_WITH_CHANGES = "allow_with_changes"
    DEFER = "defer"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        """Higher wins: block > hold > defer > allow_with_changes > allow."""
        return list(Outcome).index(self)


class ChangeKind(enum.StrEnum):
    ADD_CC_PARENT = "add_cc_parent"
    ADD_CC_SECOND_ADULT = "add_cc_second_adult"
    USE_BCC = "use_bcc"
    NOTIFY_LEAD = "notify_lead"
    COPY_SUPERVISOR = "copy_supervisor"
    COPY_SUPPORTER = "copy_supporter"


@dataclass(frozen=True, slots=True)
class Change:
    """Something the gateway must do to the message before it goes."""

    kind: ChangeKind
    person_id: str | None = None  # who to copy, for the add/copy kinds
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule changed the outcome, in words a volunteer can act on.

    ``guidance`` is the point of the published guidance the rule carries out,
    in our own words; ``fix`` is how to put it right.
    """

    rule_id: str
    effect: Outcome
    message: str
    guidance: str
    fix: str
    person_id: str | None = None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer.

    ``deliver_at`` is the start of the next agreed window (in the
    organisation's timezone) when agreed hours defer the message; it stays
    set when a hold also applies, so a released message still waits.
    """

    outcome: Outcome
    reasons: tuple[Reason, ...]
    changes: tuple[Change, ...]
    deliver_at: dt.datetime | None = None

    @property
    def may_send(self) -> bool:
        return self.outcome in (Outcome.ALLOW, Outcome.ALLOW_WITH_CHANGES)
