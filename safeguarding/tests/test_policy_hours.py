from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from safeguarding.policy import AgreedHours, PolicyError, Window, next_start, within
from safeguarding.policy.hours import local, zone

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
T = dt.time
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

EVENINGS = AgreedHours(
    tuple(Window(day, T(16, 0), T(20, 0)) for day in (MON, TUE, WED, THU, FRI))
)
LATE_FRIDAY = AgreedHours((Window(FRI, T(22, 0), T(1, 0)),))
TO_MIDNIGHT = AgreedHours((Window(FRI, T(18, 0), T(0, 0)),))


def at(
    y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, tz: dt.tzinfo = LONDON
) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)


@pytest.mark.parametrize(
    ("hours", "now", "inside"),
    [
        # first and last minute; the end is exclusive
        (EVENINGS, at(2025, 1, 6, 15, 59), False),
        (EVENINGS, at(2025, 1, 6, 16, 0), True),
        (EVENINGS, at(2025, 1, 6, 19, 59), True),
        (EVENINGS, at(2025, 1, 6, 19, 59, 59), True),
        (EVENINGS, at(2025, 1, 6, 20, 0), False),
        (EVENINGS, at(2025, 1, 4, 17, 0), False),  # Saturday
        # summer time: 16:00 BST is 15:00 UTC
        (EVENINGS, at(2025, 7, 7, 15, 0, tz=UTC), True),
        (EVENINGS, at(2025, 7, 7, 14, 59, tz=UTC), False),
        (EVENINGS, at(2025, 7, 7, 19, 0, tz=UTC), False),
        # the week the clocks go forward (Sun 30 March 2025) and back (26 Oct)
        (EVENINGS, at(2025, 3, 28, 16, 0, tz=UTC), True),  # Fri, GMT
        (EVENINGS, at(2025, 3, 31, 15, 0, tz=UTC), True),  # Mon, BST
        (EVENINGS, at(2025, 3, 31, 19, 0, tz=UTC), False),
        (EVENINGS, at(2025, 10, 24, 18, 59, tz=UTC), True),  # Fri, BST
        (EVENINGS, at(2025, 10, 24, 19, 0, tz=UTC), False),
        (EVENINGS, at(2025, 10, 27, 19, 59, tz=UTC), True),  # Mon, GMT
        # across midnight
        (LATE_FRIDAY, at(2025, 1, 3, 21, 59), False),
        (LATE_FRIDAY, at(2025, 1, 3, 22, 0), True),
        (LATE_FRIDAY, at(2025, 1, 4, 0, 59), True),
        (LATE_FRIDAY, at(2025, 1, 4, 1, 0), False),
        (LATE_FRIDAY, at(2025, 1, 10, 0, 30), False),  # Friday small hours
        (TO_MIDNIGHT, at(2025, 1, 3, 23, 59), True),
        (TO_MIDNIGHT, at(2025, 1, 4, 0, 0), False),
    ],
)
def test_within_agreed_hours(hours, now, inside):
    assert within(hours, now, LONDON) is inside


def test_a_window_spanning_the_spring_change_is_an_hour_shorter():
    sunday = AgreedHours((Window(SUN, T(0, 30), T(3, 0)),))
    assert within(sunday, at(2025, 3, 30, 0, 30, tz=UTC), LONDON)
    assert within(sunday, at(2025, 3, 30, 1, 59, tz=UTC), LONDON)  # 02:59 BST
    assert not within(sunday, at(2025, 3, 30, 2, 0, tz=UTC), LONDON)  # 03:00 BST


def test_a_window_spanning_the_autumn_change_is_an_hour_longer():
    sunday = AgreedHours((Window(SUN, T(0, 30), T(3, 0)),))
    assert within(sunday, at(2025, 10, 25, 23, 30, tz=UTC), LONDON)  # 00:30 BST
    assert within(sunday, at(2025, 10, 26, 2, 59, tz=UTC), LONDON)  # 02:59 GMT
    assert not within(sunday, at(2025, 10, 26, 3, 0, tz=UTC), LONDON)


def test_a_start_skipped_by_the_spring_change_reads_as_before_the_change():
    sunday = AgreedHours((Window(SUN, T(1, 30), T(4, 0)),))
    assert not within(sunday, at(2025, 3, 30, 1, 29, tz=UTC), LONDON)
    assert within(sunday, at(2025, 3, 30, 1, 30, tz=UTC), LONDON)  # 02:30 BST


def test_a_window_inside_the_skipped_hour_never_happens():
    sunday = AgreedHours((Window(SUN, T(1, 15), T(2, 0)),))
    assert not within(sunday, at(2025, 3, 30, 1, 20, tz=UTC), LONDON)
    assert next_start([sunday], at(2025, 3, 30, 0, 0), LONDON) == at(2025, 4, 6, 1, 15)


@pytest.mark.parametrize(
    ("schedules", "now", "expected"),
    [
        # after the last minute on Friday: Monday's first minute
        ([EVENINGS], at(2025, 1, 3, 20, 0), at(2025, 1, 6, 16, 0)),
        ([EVENINGS], at(2025, 1, 4, 9, 0), at(2025, 1, 6, 16, 0)),
        ([EVENINGS], at(2025, 1, 5, 23, 59), at(2025, 1, 6, 16, 0)),
        # earlier the same day
        ([EVENINGS], at(2025, 1, 6, 9, 0), at(2025, 1, 6, 16, 0)),
        ([EVENINGS], at(2025, 1, 6, 16, 0), at(2025, 1, 6, 16, 0)),
        # the weekend the clocks go forward: Monday 16:00 is now BST
        ([EVENINGS], at(2025, 3, 28, 20, 30), at(2025, 3, 31, 16, 0)),
        ([EVENINGS], at(2025, 3, 29, 12, 0, tz=UTC), at(2025, 3, 31, 15, 0, tz=UTC)),
        # and back
        ([EVENINGS], at(2025, 10, 24, 19, 0, tz=UTC), at(2025, 10, 27, 16, 0, tz=UTC)),
        # a week ahead for a weekly window just missed
        ([LATE_FRIDAY], at(2025, 1, 4, 1, 0), at(2025, 1, 10, 22, 0)),
        # two schedules: the first moment inside both
        (
            [EVENINGS, AgreedHours((Window(MON, T(19, 0), T(21, 0)),))],
            at(2025, 1, 6, 10, 0),
            at(2025, 1, 6, 19, 0),
        ),
        # never overlapping
        (
            [EVENINGS, AgreedHours((Window(SAT, T(10, 0), T(12, 0)),))],
            at(2025, 1, 6, 10, 0),
            None,
        ),
        ([AgreedHours(())], at(2025, 1, 6, 10, 0), None),
    ],
)
def test_next_start(schedules, now, expected):
    result = next_start(schedules, now, LONDON)
    assert result == expected
    if result is not None:
        assert result.tzinfo is LONDON


def test_next_start_is_local_to_the_organisation():
    result = next_start([EVENINGS], at(2025, 7, 5, 12, 0, tz=UTC), LONDON)
    assert result is not None
    assert (result.hour, result.minute, result.weekday()) == (16, 0, MON)


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [
        (7, T(9, 0), T(10, 0)),
        (-1, T(9, 0), T(10, 0)),
        (MON, T(9, 0), T(9, 0)),
        (MON, T(9, 0, tzinfo=UTC), T(10, 0)),
    ],
)
def test_bad_windows_are_refused(weekday, start, end):
    with pytest.raises(PolicyError):
        Window(weekday, start, end)


def test_unknown_timezones_and_naive_times_are_refused():
    with pytest.raises(PolicyError):
        zone("Nowhere/Special")
    with pytest.raises(PolicyError):
        zone("")
    with pytest.raises(PolicyError):
        local(dt.datetime(2025, 1, 1, 12, 0), LONDON)  # noqa: DTZ001
