"""decide(): run every rule over a message and combine what they say."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from safeguarding.policy import hours, rules
from safeguarding.policy.decision import Change, Decision, Outcome, Reason
from safeguarding.policy.inputs import MessageRequest, OrgRules, PolicyError
from safeguarding.policy.people import effective_kind

_CHECKS: tuple[Callable[[rules.Context], Iterable[Reason]], ...] = (
    rules.sender,
    rules.account,
    rules.platform,
    rules.purpose,
    rules.consent,
    rules.group,
    rules.child_one_to_one,
    rules.adult_one_to_one,
    rules.supporter,
    rules.bcc,
    rules.content,
    rules.reachable,
)


def decide(request: MessageRequest, org: OrgRules) -> Decision:
    """Judge one message; every reason that applies is returned.

    The outcome is the strongest effect among the reasons: block > hold >
    defer > allow_with_changes > allow.
    """
    tz = hours.zone(org.timezone)
    now = hours.local(request.now, tz)
    if not request.recipients:
        raise PolicyError("a message needs at least one recipient")
    kinds = {r.id: effective_kind(r, now.date()) for r in request.recipients}
    platform = request.platform or (request.group.platform if request.group else None)
    ctx = rules.Context(request, org, tz, now, kinds, platform)
    reasons = [r for check in _CHECKS for r in check(ctx)]
    timing, deliver_at = rules.agreed_hours(ctx)
    reasons += timing
    outcome = max(
        (r.effect for r in reasons), key=lambda o: o.rank, default=Outcome.ALLOW
    )
    if outcome is Outcome.BLOCK:
        deliver_at = None
    return Decision(outcome, tuple(reasons), _changes(reasons), deliver_at)


def _changes(reasons: list[Reason]) -> tuple[Change, ...]:
    seen: dict[tuple[str, str | None], Change] = {}
    for r in reasons:
        for change in r.changes:
            seen.setdefault((change.kind, change.person_id), change)
    return tuple(seen.values())
