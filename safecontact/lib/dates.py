"""Dates: the organisation's today, and the range taken from outside.

The organisation's date is worked out by the policy core, not the server's.
Python's dates end at year 9999 and Django converts aware datetimes to UTC,
so a day at either end, moved into a time zone or given a day either side,
overflows. Nothing SafeContact records lies outside EARLIEST-LATEST.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from safeguarding.policy import local_day


def org_today(organisation: Any, now: dt.datetime | None = None) -> dt.date:
    """Today in ``organisation``'s timezone: the day ages, consent, clearance
    and leaving dates are judged on."""
    return local_day(now or timezone.now(), organisation.timezone)


def org_zone(organisation: Any) -> ZoneInfo:
    """``organisation``'s time zone: the one its days are counted in."""
    return ZoneInfo(organisation.timezone)


EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def clamp(day: dt.date) -> dt.date:
    """``day``, moved into EARLIEST-LATEST (a filter's answer is the same)."""
    return min(max(day, EARLIEST), LATEST)
