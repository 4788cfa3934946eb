"""The range of dates SafeContact takes from outside.

Python's dates end at year 9999 and Django converts aware datetimes to UTC,
so a day at either end, moved into a time zone or given a day either side,
overflows. Nothing SafeContact records lies outside this range.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def clamp(day: dt.date) -> dt.date:
    """``day``, moved into EARLIEST-LATEST (a filter's answer is the same)."""
    return min(max(day, EARLIEST), LATEST)
