from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.governance import (
    Audience,
    GovernanceError,
    Outstanding,
    PolicyFacts,
    Review,
    WorkerPolicyFacts,
    WorksWith,
    applies_to,
    contact_stopped,
    next_review,
    outstanding,
    review_state,
)

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("audience", "works_with", "is_lead", "expected"),
    [
        (Audience.EVERYONE, WorksWith.CHILDREN, False, True),
        (Audience.CHILDREN, WorksWith.CHILDREN, False, True),
        (Audience.CHILDREN, WorksWith.BOTH, False, True),
        (Audience.CHILDREN, WorksWith.ADULTS, False, False),
        (Audience.ADULTS, WorksWith.ADULTS, False, True),
        (Audience.ADULTS, WorksWith.BOTH, False, True),
        (Audience.ADULTS, WorksWith.CHILDREN, False, False),
        (Audience.LEADS, WorksWith.BOTH, False, False),
        (Audience.LEADS, WorksWith.BOTH, True, True),
    ],
)
def test_who_a_policy_applies_to(audience, works_with, is_lead, expected):
    assert applies_to(audience, WorkerPolicyFacts(works_with, is_lead)) is expected


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, Review.NOT_SET),
        (TODAY - dt.timedelta(days=1), Review.OVERDUE),
        (TODAY, Review.DUE_SOON),
        (TODAY + dt.timedelta(days=30), Review.DUE_SOON),
        (TODAY + dt.timedelta(days=31), Review.CURRENT),
    ],
)
def test_review_state(due, expected):
    assert review_state(due, TODAY) is expected


@pytest.mark.parametrize(
    ("published", "months", "expected"),
    [
        (dt.date(2026, 1, 15), 12, dt.date(2027, 1, 15)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 11, 5), 2, dt.date(2027, 1, 5)),
    ],
)
def test_next_review(published, months, expected):
    assert next_review(published, months) == expected


def test_a_review_period_is_at_least_a_month():
    with pytest.raises(GovernanceError):
        next_review(TODAY, 0)


def _policies():
    return [
        ("conduct", PolicyFacts(Audience.EVERYONE, 3, None, blocks_contact=True)),
        ("children", PolicyFacts(Audience.CHILDREN, 1, None)),
        ("draft", PolicyFacts(Audience.EVERYONE, None, None)),
        ("leads", PolicyFacts(Audience.LEADS, 2, None)),
    ]


def test_an_older_acknowledgement_does_not_cover_a_new_version():
    worker = WorkerPolicyFacts(WorksWith.ADULTS)
    due = outstanding(_policies(), worker, {"conduct": 2})
    assert due == (Outstanding("conduct", 3, True),)
    assert contact_stopped(due)


def test_nothing_is_outstanding_once_current_versions_are_acknowledged():
    worker = WorkerPolicyFacts(WorksWith.BOTH)
    due = outstanding(_policies(), worker, {"conduct": 3, "children": 1})
    assert due == ()
    assert not contact_stopped(due)


def test_drafts_and_other_audiences_are_not_asked_for():
    worker = WorkerPolicyFacts(WorksWith.CHILDREN, is_lead=True)
    due = outstanding(_policies(), worker, {"conduct": 3})
    assert [d.policy for d in due] == ["children", "leads"]
    assert not contact_stopped(due)
