from __future__ import annotations

import dataclasses

import pytest

from safeguarding.assessment import (
    AssessmentError,
    Band,
    GroupFacts,
    band,
    concerns,
    review_reasons,
    score,
)

CLEAN = GroupFacts(
    platform="WhatsApp",
    platform_minimum_age=16,
    platform_approved=True,
    members=12,
    children=10,
    under_minimum_age=0,
    unchecked_adults=0,
    former_workers=0,
    without_consent=0,
    hours_agreed=True,
    one_to_one_messages=0,
    alerts=0,
)


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected", "expected_band"),
    [
        (1, 1, 1, Band.LOW),
        (2, 2, 4, Band.LOW),
        (1, 5, 5, Band.MEDIUM),
        (3, 3, 9, Band.MEDIUM),
        (2, 5, 10, Band.HIGH),
        (3, 5, 15, Band.HIGH),
        (4, 4, 16, Band.VERY_HIGH),
        (5, 5, 25, Band.VERY_HIGH),
    ],
)
def test_scores_and_bands(likelihood, impact, expected, expected_band):
    assert score(likelihood, impact) == expected
    assert band(expected) is expected_band


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (3, 6), (-1, 1)])
def test_scores_outside_the_scale_are_refused(likelihood, impact):
    with pytest.raises(AssessmentError):
        score(likelihood, impact)


@pytest.mark.parametrize("value", [0, 26])
def test_bands_outside_the_matrix_are_refused(value):
    with pytest.raises(AssessmentError):
        band(value)


def test_a_clean_group_raises_no_concerns_and_needs_no_review():
    assert concerns(CLEAN) == ()
    assert review_reasons(CLEAN, CLEAN) == ()


def test_concerns_name_each_fact_in_plain_words():
    facts = dataclasses.replace(
        CLEAN,
        unchecked_adults=2,
        former_workers=1,
        under_minimum_age=3,
        without_consent=1,
        alerts=4,
        one_to_one_messages=1,
        platform_approved=False,
        hours_agreed=False,
    )
    found = concerns(facts)
    assert [c.key for c in found] == [
        "unchecked_adults",
        "former_workers",
        "under_minimum_age",
        "without_consent",
        "alerts",
        "one_to_one_messages",
        "platform",
        "hours",
    ]
    texts = " ".join(c.text for c in found)
    assert "2 adults without a current DBS check" in texts
    assert "under WhatsApp's minimum age (16)" in texts
    assert "4 alerts" in texts


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"unchecked_adults": 1}, "now without a current DBS check"),
        ({"former_workers": 1}, "stopped volunteering"),
        ({"under_minimum_age": 1}, "under the platform's minimum age"),
        ({"without_consent": 2}, "lack current consent"),
        ({"alerts": 1}, "new alert"),
        ({"one_to_one_messages": 3}, "one-to-one contact"),
        ({"platform": "Discord"}, "moved from WhatsApp to Discord"),
        ({"platform_approved": False}, "no longer approved"),
        ({"hours_agreed": False}, "agreed hours were removed"),
    ],
)
def test_worse_facts_flag_a_signed_assessment(change, reason):
    reasons = review_reasons(CLEAN, dataclasses.replace(CLEAN, **change))
    assert len(reasons) == 1
    assert reason in reasons[0]


def test_better_facts_do_not_flag_it():
    worse = dataclasses.replace(CLEAN, unchecked_adults=2, alerts=3)
    assert review_reasons(worse, CLEAN) == ()


def test_facts_round_trip_through_storage():
    assert GroupFacts.from_dict(CLEAN.as_dict()) == CLEAN
    with pytest.raises(AssessmentError, match="lack"):
        GroupFacts.from_dict({"platform": "x"})
