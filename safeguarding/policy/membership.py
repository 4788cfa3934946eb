"""decide_membership(): may this person join this group today?

The same guidance as for messages, applied when the group changes rather than
when a message leaves: nobody joins a group on a platform they are too young
for or that their consent does not cover, no unchecked adult joins a group
with children, nobody who has left joins, and a child outside the group's
age range joins only when the Safeguarding Lead gives a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from safeguarding.policy import hours
from safeguarding.policy.clearance import WorkerFacts, clearance
from safeguarding.policy.decision import Decision, Outcome, Reason
from safeguarding.policy.inputs import Consent, GroupInfo, PersonKind, Recipient
from safeguarding.policy.people import age_on, effective_kind
from safeguarding.policy.rules import (
    CHILD_AUDIENCES,
    platform_consented,
    reason,
    too_young,
)

BLOCK, HOLD = Outcome.BLOCK, Outcome.HOLD


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone about to join a group.

    ``worker`` holds their vetting and training when they have a worker
    record (None otherwise); clearance is worked out here, on the day.
    ``consent`` is their newest consent record (for a child or adult at
    risk), whose platforms the group's platform must be among.
    """

    id: str
    kind: PersonKind
    date_of_birth: dt.date | None = None
    worker: WorkerFacts | None = None
    consent: Consent | None = None


@dataclass(frozen=True, slots=True)
class MembershipRequest:
    """One attempt to add ``candidate`` to ``group``; ``now`` is aware.

    ``exception_reason`` is the Lead's reason for admitting a child outside
    the group's age range; without one that case is held for the Lead.
    """

    candidate: Candidate
    group: GroupInfo
    now: dt.datetime
    timezone: str = "Europe/London"
    exception_reason: str = ""


def decide_membership(request: MembershipRequest) -> Decision:
    """Every reason that applies; the strongest effect is the outcome."""
    today = hours.local(request.now, hours.zone(request.timezone)).date()
    c = request.candidate
    kind = effective_kind(Recipient(c.id, c.kind, c.date_of_birth), today)
    reasons = [
        *_left(c, today),
        *_unchecked(request, kind, today),
        *_platform_age(request, kind, today),
        *_platform_consent(request, kind, today),
        *_age_range(request, kind, today),
    ]
    outcome = max(
        (r.effect for r in reasons), key=lambda o: o.rank, default=Outcome.ALLOW
    )
    return Decision(outcome, tuple(reasons), ())


def _left(c: Candidate, today: dt.date) -> Iterator[Reason]:
    end = c.worker.end_date if c.worker else None
    if end is not None and end < today:
        msg = f"They left on {end:%d %B %Y}, so they cannot join a group."
        yield reason("group.ex_worker", BLOCK, msg, person=c.id)


def _unchecked(
    request: MembershipRequest, kind: PersonKind, today: dt.date
) -> Iterator[Reason]:
    c, group = request.candidate, request.group
    if kind in (PersonKind.CHILD, PersonKind.ADULT_AT_RISK):
        return
    if group.audience not in CHILD_AUDIENCES:
        return
    if c.worker is not None:
        if c.worker.end_date is not None and c.worker.end_date < today:
            return  # group.ex_worker already says why
        cleared = clearance(c.worker, today)
        if cleared.children:
            return
        why = " ".join(r for r in cleared.reasons if not r.startswith("Active"))
        msg = f"They are not cleared to work with children. {why}".strip()
    else:
        msg = "An adult without a DBS check cannot join a group for children."
    yield reason("group.uncleared_adult", BLOCK, msg, person=c.id)


def _platform_age(
    request: MembershipRequest, kind: PersonKind, today: dt.date
) -> Iterator[Reason]:
    p, c = request.group.platform, request.candidate
    msg = too_young(c.date_of_birth, kind, today, p) if p else ""
    if msg:
        yield reason("platform.minimum_age", BLOCK, msg, person=c.id)


def _platform_consent(
    request: MembershipRequest, kind: PersonKind, today: dt.date
) -> Iterator[Reason]:
    p, c = request.group.platform, request.candidate
    if p is not None and not platform_consented(c.consent, kind, today, p):
        msg = (
            f"Their consent does not cover contact on {p.name}, this group's platform."
        )
        yield reason("platform.consented", BLOCK, msg, person=c.id)


def _age_range(
    request: MembershipRequest, kind: PersonKind, today: dt.date
) -> Iterator[Reason]:
    group, c = request.group, request.candidate
    if kind is not PersonKind.CHILD or (
        group.age_min is None and group.age_max is None
    ):
        return
    low = group.age_min if group.age_min is not None else 0
    high = group.age_max if group.age_max is not None else 200
    span = _span(group.age_min, group.age_max)
    if c.date_of_birth is None:
        msg = f"Their date of birth is missing, so the group's ages ({span}) cannot be checked."
    else:
        age = age_on(c.date_of_birth, today)
        if low <= age <= high:
            return
        msg = f"They are {age}; this group is for ages {span}."
    note = request.exception_reason.strip()
    if note:
        msg = f"{msg} Added by the Safeguarding Lead: {note}"
        yield reason("group.age_range", Outcome.ALLOW, msg, person=c.id)
    else:
        yield reason("group.age_range", HOLD, msg, person=c.id)


def _span(low: int | None, high: int | None) -> str:
    if low is None:
        return f"up to {high}"
    if high is None:
        return f"{low} and over"
    return f"{low} to {high}"
