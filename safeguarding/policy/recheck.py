"""Re-checks: is a message that was allowed still allowed as it leaves?

A message is judged when it is written, but it may leave much later (agreed
hours, a retry, the Lead's release). Just before it leaves, the service asks
the engine again with today's facts and passes the answer here. The message
leaves unless the new decision is stricter: it blocks, it holds for a reason
the Lead has not already looked at, or a copy it needs is not among the
people the stored message is copied to. Outside agreed hours it waits again.
Looser answers (a recipient turned 18) change nothing: it leaves as written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from safeguarding.policy.decision import Decision, Outcome, Reason
from safeguarding.policy.rules import reason


@dataclass(frozen=True, slots=True)
class Recheck:
    """``stopped``: nothing leaves, for ``reasons``; ``wait_until``: try then."""

    decision: Decision
    stopped: bool
    reasons: tuple[Reason, ...] = ()
    wait_until: dt.datetime | None = None


def recheck(
    decision: Decision,
    *,
    reviewed: frozenset[str],
    copied: frozenset[str],
    may_copy: Mapping[str, frozenset[str]],
) -> Recheck:
    """Compare today's ``decision`` with what the stored message does.

    ``reviewed`` are the rule ids of holds the Lead already released;
    ``copied`` the ids of people the stored message is copied to;
    ``may_copy`` maps each person who needs a copy kept to the ids that
    would do (their parents/carers and the second adults).
    """
    stops = [
        r
        for r in decision.reasons
        if r.effect is Outcome.BLOCK
        or (r.effect is Outcome.HOLD and r.rule_id not in reviewed)
    ]
    stops += _missing_copies(decision, copied, may_copy)
    if stops:
        return Recheck(decision, True, tuple(stops))
    if decision.outcome is Outcome.DEFER and decision.deliver_at is not None:
        waits = tuple(r for r in decision.reasons if r.effect is Outcome.DEFER)
        return Recheck(decision, False, waits, decision.deliver_at)
    return Recheck(decision, False)


def _missing_copies(
    decision: Decision,
    copied: frozenset[str],
    may_copy: Mapping[str, frozenset[str]],
) -> list[Reason]:
    missing = []
    for r in decision.reasons:
        if (
            r.rule_id != "child.no_one_to_one"
            or r.effect is not Outcome.ALLOW_WITH_CHANGES
        ):
            continue
        if copied & may_copy.get(r.person_id or "", frozenset()):
            continue
        msg = (
            "The person copied in so this is not one-to-one with a child can "
            "no longer be copied."
        )
        missing.append(
            reason("child.no_one_to_one", Outcome.BLOCK, msg, person=r.person_id)
        )
    return missing
