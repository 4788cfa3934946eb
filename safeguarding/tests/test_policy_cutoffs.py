"""The one-date forms of the age and renewal rules agree with the rules.

Databases filter on ``born_on_or_before`` and ``earliest_certificate``; these
tests check them against ``age_on`` and ``add_years`` on every day of a span
with two leap days, for several ages and renewal periods.
"""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.policy import (
    add_years,
    age_on,
    born_on_or_before,
    earliest_certificate,
)

D = dt.date
DAYS = [D(2027, 12, 1) + dt.timedelta(days=n) for n in range(0, 5 * 366, 7)] + [
    D(2028, 2, 28),
    D(2028, 2, 29),
    D(2028, 3, 1),
    D(2029, 2, 28),
    D(2029, 3, 1),
]


@pytest.mark.parametrize("age", [13, 16, 17, 18, 21])
def test_born_on_or_before_matches_age_on(age: int) -> None:
    for today in DAYS:
        cutoff = born_on_or_before(today, age)
        assert age_on(cutoff, today) >= age
        assert age_on(cutoff + dt.timedelta(days=1), today) < age


@pytest.mark.parametrize("years", [1, 2, 3, 4, 5])
def test_earliest_certificate_matches_add_years(years: int) -> None:
    for today in DAYS:
        earliest = earliest_certificate(today, years)
        assert add_years(earliest, years) >= today
        assert add_years(earliest - dt.timedelta(days=1), years) < today


@pytest.mark.parametrize(
    ("today", "age", "cutoff"),
    [
        (D(2026, 6, 15), 18, D(2008, 6, 15)),
        (D(2028, 2, 29), 18, D(2010, 2, 28)),  # no 29 February in 2010
        (D(2028, 2, 29), 16, D(2012, 2, 29)),
    ],
)
def test_born_on_or_before_examples(today: dt.date, age: int, cutoff: dt.date) -> None:
    assert born_on_or_before(today, age) == cutoff


@pytest.mark.parametrize(
    ("today", "years", "earliest"),
    [
        (D(2026, 6, 15), 3, D(2023, 6, 15)),
        (D(2028, 2, 29), 3, D(2025, 3, 1)),  # 28 February 2025 ran out the day before
        (D(2028, 2, 29), 4, D(2024, 2, 29)),
    ],
)
def test_earliest_certificate_examples(
    today: dt.date, years: int, earliest: dt.date
) -> None:
    assert earliest_certificate(today, years) == earliest
