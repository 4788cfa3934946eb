from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from safeguarding.policy import (
    DbsLevel,
    WorkerFacts,
    Workforce,
    add_years,
    clearance,
    renewal_date,
)

D = dt.date
CURRENT = WorkerFacts(
    start_date=D(2020, 1, 1),
    dbs_level=DbsLevel.ENHANCED,
    certificate_date=D(2023, 3, 1),
    training_level=2,
    training_expires_on=D(2026, 6, 30),
)


def facts(**changes: object) -> WorkerFacts:
    return replace(CURRENT, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("worker", "today", "cleared", "says"),
    [
        # DBS renewal due 3 years on, valid through that day inclusive
        (CURRENT, D(2026, 3, 1), True, "renewal due 01 March 2026"),
        (CURRENT, D(2026, 3, 2), False, "was due for renewal on 01 March 2026"),
        (facts(renewal_years=2), D(2025, 3, 2), False, "due for renewal"),
        # a renewal date set on the check wins over the organisation's period
        (facts(renewal_due=D(2025, 9, 1)), D(2025, 9, 1), True, "renewal due 01 Sept"),
        (
            facts(renewal_due=D(2025, 9, 1)),
            D(2025, 9, 2),
            False,
            "due for renewal on 01 Sept",
        ),
        # training valid through its expiry date inclusive
        (facts(certificate_date=D(2024, 1, 1)), D(2026, 6, 30), True, "until 30 June"),
        (facts(certificate_date=D(2024, 1, 1)), D(2026, 7, 1), False, "expired on"),
        # the Update Service keeps an old certificate current
        (
            facts(update_service=True, certificate_date=D(2010, 1, 1)),
            D(2025, 1, 1),
            True,
            "on the Update Service",
        ),
        # active from the start date, through the end date
        (facts(start_date=D(2025, 1, 1)), D(2024, 12, 31), False, "Starts on"),
        (facts(start_date=D(2025, 1, 1)), D(2025, 1, 1), True, "Active worker"),
        (facts(end_date=D(2025, 5, 31)), D(2025, 5, 31), True, "Active worker"),
        (facts(end_date=D(2025, 5, 31)), D(2025, 6, 1), False, "Left on"),
        (facts(start_date=None), D(2025, 1, 1), False, "No start date"),
        # the level of check
        (facts(dbs_level=None), D(2025, 1, 1), False, "No DBS check"),
        (facts(certificate_date=None), D(2025, 1, 1), False, "No DBS check"),
        (facts(dbs_level=DbsLevel.BASIC), D(2025, 1, 1), False, "basic DBS"),
        (facts(dbs_level=DbsLevel.STANDARD), D(2025, 1, 1), False, "enhanced is"),
        (
            facts(dbs_level=DbsLevel.ENHANCED_BARRED),
            D(2025, 1, 1),
            True,
            "Enhanced (with barred list) DBS",
        ),
        (facts(certificate_date=D(2025, 1, 2)), D(2025, 1, 1), False, "future"),
        # training level
        (facts(training_level=0), D(2025, 1, 1), False, "level 1 is not recorded"),
        (facts(training_expires_on=None), D(2025, 1, 1), False, "not recorded"),
    ],
)
def test_clearance_at_its_boundaries(worker, today, cleared, says):
    result = clearance(worker, today)
    assert (result.children, result.adults) == (cleared, cleared)
    assert any(says in r for r in result.reasons), result.reasons


def test_barred_list_check_can_be_required():
    result = clearance(CURRENT, D(2025, 1, 1), minimum_dbs=DbsLevel.ENHANCED_BARRED)
    assert not result.children
    assert "enhanced (with barred list) is needed" in " ".join(result.reasons)


def test_training_level_can_be_raised():
    assert not clearance(CURRENT, D(2025, 1, 1), minimum_training=3).children


@pytest.mark.parametrize(
    ("workforces", "children", "adults", "says"),
    [
        (frozenset({Workforce.CHILDREN}), True, False, "work with adults"),
        (frozenset({Workforce.ADULTS}), False, True, "work with children"),
    ],
)
def test_clearance_follows_the_checks_workforce(workforces, children, adults, says):
    result = clearance(facts(dbs_workforces=workforces), D(2025, 1, 1))
    assert (result.children, result.adults) == (children, adults)
    assert any(says in r for r in result.reasons)


def test_an_ex_worker_is_not_active_or_cleared():
    result = clearance(facts(end_date=D(2024, 1, 1)), D(2025, 1, 1))
    assert (result.active, result.children, result.adults) == (False, False, False)


def test_due_on_is_the_first_renewal():
    assert clearance(CURRENT, D(2025, 1, 1)).due_on == D(2026, 3, 1)
    later = facts(certificate_date=D(2025, 1, 1))
    assert clearance(later, D(2025, 1, 1)).due_on == D(2026, 6, 30)
    assert (
        clearance(facts(dbs_level=None, training_expires_on=None), D(2025, 1, 1)).due_on
        is None
    )


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2023, 3, 1), 3, D(2026, 3, 1)),
        (D(2024, 2, 29), 3, D(2027, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected


@pytest.mark.parametrize(
    ("update_service", "renewal_due", "due"),
    [
        (False, None, dt.date(2027, 3, 1)),  # the organisation's period
        (False, dt.date(2026, 6, 1), dt.date(2026, 6, 1)),  # the check's own date
        (True, dt.date(2026, 6, 1), None),  # the Update Service never lapses
    ],
)
def test_renewal_date_is_the_one_rule(update_service, renewal_due, due):
    got = renewal_date(
        dt.date(2024, 3, 1), 3, update_service=update_service, renewal_due=renewal_due
    )
    assert got == due
