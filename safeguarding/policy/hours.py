"""Agreed hours: is a moment inside them, and when does the next one start.

Windows are local wall-clock times in the organisation's timezone; instants
are compared in UTC, so clock changes are handled by zoneinfo. A start time
that the spring clock change skips is read as if the
clocks had not changed yet (01:30 on that Sunday is 02:30 BST); one in the
repeated autumn hour begins the first time round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from safeguarding.policy.inputs import AgreedHours, PolicyError, Window

# Far enough to find a weekly window from any moment, plus a day for windows
# that cross midnight.
_SEARCH_DAYS = 8


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError(f"unknown timezone {name!r}") from exc


def local(now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``now`` in the organisation's timezone; naive datetimes are refused."""
    if now.utcoffset() is None:
        raise PolicyError("now must be timezone-aware")
    return now.astimezone(tz)


def local_day(now: dt.datetime, timezone: str) -> dt.date:
    """The organisation's date at ``now``: the day ages, consent, clearance
    and leaving dates are judged on (not the server's date)."""
    return local(now, zone(timezone)).date()


def group_hours(
    own: AgreedHours | None, default: AgreedHours | None
) -> AgreedHours | None:
    """The hours a group's contact keeps: its own, else the organisation's
    default (None when neither is set).

    The one answer to "does this group have agreed hours?", asked by the
    gateway, the risk assessment's facts and group audits. In a message the
    default stands in only when nobody on it has hours agreed on their
    consent: a consent's own hours win over the default.
    """
    return own if own is not None else default


def _instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


def _occurrences(
    window: Window, first: dt.date, days: int, tz: ZoneInfo
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        if day.weekday() != window.weekday:
            continue
        end_day = day + dt.timedelta(days=1) if window.end <= window.start else day
        start, end = _instant(day, window.start, tz), _instant(end_day, window.end, tz)
        if start < end:  # a window wholly inside a skipped hour never happens
            yield start, end


def within(hours: AgreedHours, now: dt.datetime, tz: ZoneInfo) -> bool:
    """Is ``now`` inside a window (start inclusive, end exclusive)?"""
    moment = now.astimezone(dt.UTC)
    yesterday = local(now, tz).date() - dt.timedelta(days=1)
    return any(
        start <= moment < end
        for window in hours.windows
        for start, end in _occurrences(window, yesterday, 2, tz)
    )


def next_start(
    schedules: Sequence[AgreedHours], now: dt.datetime, tz: ZoneInfo
) -> dt.datetime | None:
    """The first moment at or after ``now`` inside every schedule.

    Where schedules overlap, the overlap begins at some window's start, so
    only window starts need trying. None when they never overlap in a week.
    """
    moment = now.astimezone(dt.UTC)
    today = local(now, tz).date()
    starts = sorted(
        start
        for hours in schedules
        for window in hours.windows
        for start, _ in _occurrences(window, today, _SEARCH_DAYS, tz)
        if start >= moment
    )
    for start in starts:
        if all(within(hours, start, tz) for hours in schedules):
            return start.astimezone(tz)
    return None
