"""Policies and their acknowledgement: who must read what, and what is overdue.

The guidance asks organisations to keep clear policies on contacting
vulnerable groups, safe storage, personal data and social media groups, and
to give workers guidance and accountability. These functions decide, from
plain values, which workers a published policy asks to acknowledge it,
whether a review is due, and whether an unacknowledged code of conduct
stops a worker's contact rights.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

# A review is flagged this many days before it falls due.
REVIEW_WARNING_DAYS = 30


class GovernanceError(Exception):
    """Facts about a policy that cannot be right."""


class Audience(enum.StrEnum):
    """Who a policy applies to."""

    EVERYONE = "everyone"
    CHILDREN = "children"
    ADULTS = "adults"
    LEADS = "leads"


class WorksWith(enum.StrEnum):
    """Who a worker works with, as the register records it."""

    CHILDREN = "children"
    ADULTS = "adults"
    BOTH = "both"


class Review(enum.StrEnum):
    CURRENT = "current"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_SET = "not_set"


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    audience: Audience
    # The number of the version in force; None while nothing is published.
    current_version: int | None
    review_due: dt.date | None
    # A code of conduct may stop contact rights until it is acknowledged.
    blocks_contact: bool = False


@dataclass(frozen=True, slots=True)
class WorkerPolicyFacts:
    works_with: WorksWith
    is_lead: bool = False


@dataclass(frozen=True, slots=True)
class Outstanding:
    """A policy a worker still has to acknowledge, and what that costs them."""

    policy: str
    version: int
    blocks_contact: bool


def applies_to(audience: Audience, worker: WorkerPolicyFacts) -> bool:
    """Whether a policy for ``audience`` asks ``worker`` to acknowledge it."""
    if audience is Audience.EVERYONE:
        return True
    if audience is Audience.LEADS:
        return worker.is_lead
    if audience is Audience.CHILDREN:
        return worker.works_with in (WorksWith.CHILDREN, WorksWith.BOTH)
    return worker.works_with in (WorksWith.ADULTS, WorksWith.BOTH)


def review_state(review_due: dt.date | None, today: dt.date) -> Review:
    if review_due is None:
        return Review.NOT_SET
    if review_due < today:
        return Review.OVERDUE
    if (review_due - today).days <= REVIEW_WARNING_DAYS:
        return Review.DUE_SOON
    return Review.CURRENT


def next_review(published: dt.date, months: int) -> dt.date:
    """The review date ``months`` after ``published`` (end of month if short)."""
    if months < 1:
        raise GovernanceError("A review period is at least one month.")
    month0 = published.month - 1 + months
    year, month = published.year + month0 // 12, month0 % 12 + 1
    for day in (published.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise GovernanceError("unreachable")  # pragma: no cover


def outstanding(
    policies: Iterable[tuple[str, PolicyFacts]],
    worker: WorkerPolicyFacts,
    acknowledged: dict[str, int],
) -> tuple[Outstanding, ...]:
    """The published policies ``worker`` must acknowledge and has not.

    ``acknowledged`` maps a policy's key to the newest version the worker
    has acknowledged; an older version does not count for a newer one.
    """
    due = []
    for key, facts in policies:
        if facts.current_version is None or not applies_to(facts.audience, worker):
            continue
        if acknowledged.get(key, 0) < facts.current_version:
            due.append(Outstanding(key, facts.current_version, facts.blocks_contact))
    return tuple(due)


def contact_stopped(items: Iterable[Outstanding]) -> bool:
    """An unacknowledged code of conduct that the organisation made binding."""
    return any(item.blocks_contact for item in items)
