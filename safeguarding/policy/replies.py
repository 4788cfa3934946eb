"""Replies: what an email received from someone in the register needs before
it is shared.

A reply reaches the worker it answers. A child's reply to a worker is never
one-to-one: a parent/carer or a second cleared adult gets a copy, chosen the
way outbound contact chooses (``rules._copy_for``); when nobody can be copied
the reply waits for the Safeguarding Lead. Worrying content holds it too.
Replies from children and adults at risk are shown to the Lead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from safeguarding.policy import hours
from safeguarding.policy.decision import Change, ChangeKind, Decision, Outcome, Reason
from safeguarding.policy.inputs import OrgRules, PersonKind, Recipient
from safeguarding.policy.people import effective_kind
from safeguarding.policy.rules import _copy_for, reason
from safeguarding.screening.findings import Finding


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    """One received reply. ``replier`` is who sent it (their ``parents`` are
    the carers the organisation can email); ``worker`` the worker it answers;
    ``already`` the ids of people who were on the reply themselves (a parent
    in Cc). ``now`` must be timezone-aware."""

    replier: Recipient
    worker: str | None
    now: dt.datetime
    already: frozenset[str] = frozenset()
    content_findings: tuple[Finding, ...] = field(default=())


def decide_reply(request: ReplyRequest, org: OrgRules) -> Decision:
    """Judge one reply: its copies, whether the Lead must see it first."""
    tz = hours.zone(org.timezone)
    today = hours.local(request.now, tz).date()
    kind = effective_kind(request.replier, today)
    reasons = [
        *_copies(request, org, kind),
        *_visible(request, kind),
        *_content(request, org),
    ]
    outcome = max(
        (r.effect for r in reasons), key=lambda o: o.rank, default=Outcome.ALLOW
    )
    changes = tuple(c for r in reasons for c in r.changes)
    return Decision(outcome, tuple(reasons), changes)


def seconds_for(request: ReplyRequest, org: OrgRules) -> list[str]:
    """Second adults who may be copied: never the worker the reply is to."""
    return [a for a in org.second_adults if a != request.worker]


def _copies(request: ReplyRequest, org: OrgRules, kind: PersonKind) -> Iterator[Reason]:
    child = request.replier
    if kind is not PersonKind.CHILD or request.worker is None:
        return
    seconds = seconds_for(request, org)
    if request.already & (set(child.parents) | set(seconds)):
        return  # a parent or second adult was on the reply already
    change = _copy_for(child, seconds, org.copy_policy)
    if change is None:
        msg = (
            "Nobody can be copied into this reply from a child, so the "
            "Safeguarding Lead will look at it before the worker does."
        )
        yield reason("reply.no_one_to_one", Outcome.HOLD, msg, person=child.id)
        return
    who = (
        "a parent/carer"
        if change.kind is ChangeKind.ADD_CC_PARENT
        else "a second cleared adult"
    )
    msg = f"So this reply is not one-to-one, {who} gets a copy."
    yield reason(
        "child.no_one_to_one",
        Outcome.ALLOW_WITH_CHANGES,
        msg,
        person=child.id,
        changes=(change,),
    )


def _visible(request: ReplyRequest, kind: PersonKind) -> Iterator[Reason]:
    if kind not in (PersonKind.CHILD, PersonKind.ADULT_AT_RISK):
        return
    change = Change(ChangeKind.NOTIFY_LEAD, rule_id="reply.visible")
    msg = "The Safeguarding Lead is shown this reply."
    yield reason(
        "reply.visible",
        Outcome.ALLOW_WITH_CHANGES,
        msg,
        person=request.replier.id,
        changes=(change,),
    )


def _content(request: ReplyRequest, org: OrgRules) -> Iterator[Reason]:
    threshold = org.content_hold_threshold
    serious = [f for f in request.content_findings if f.severity >= threshold]
    if serious:
        msg = (
            "The reply has things the Safeguarding Lead must check before "
            "anyone else sees it."
        )
        yield reason("content.hold", Outcome.HOLD, msg)
