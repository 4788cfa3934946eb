"""How long a closed case is kept, by category.

The clock starts when the case is closed; open cases are never purged.

The periods below are the defaults; each organisation may lengthen them on its
settings page (never below ``MIN_YEARS`` and ``MIN_CONDUCT_YEARS``).

- Seven years for most concerns: a common charity and insurance benchmark for
  safeguarding records, long enough to answer later questions or claims.
- Ten years for the conduct of a worker or volunteer: allegations against
  people in positions of trust are kept longer (UK practice is until the
  person's normal pension age or ten years, whichever is longer) so a pattern
  can be seen and references answered. Where the worker is young, the Lead
  should keep the case open or extend by reopening until the longer date.
- Grooming and sharing images: seven years like the rest; a Lead who expects a
  prosecution or civil claim keeps the case open.
"""

from __future__ import annotations

import datetime

# The organisation's settings page changes both periods within these bounds.
DEFAULT_YEARS = 7
CONDUCT_YEARS = 10
# Below six years a civil claim could still be brought after the record is gone.
MIN_YEARS = 6
# Allegations about people in positions of trust: never less than ten years.
MIN_CONDUCT_YEARS = 10
MAX_YEARS = 100
CONDUCT_CATEGORIES = frozenset({"worker_conduct"})


def retention_years(
    category: str, *, years: int = DEFAULT_YEARS, conduct_years: int = CONDUCT_YEARS
) -> int:
    """Years a closed case of ``category`` is kept, given the organisation's
    periods for concerns and for the conduct of workers."""
    return conduct_years if category in CONDUCT_CATEGORIES else years


def _add_years(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def keep_until(
    category: str,
    closed_at: datetime.datetime | None,
    *,
    years: int = DEFAULT_YEARS,
    conduct_years: int = CONDUCT_YEARS,
) -> datetime.datetime | None:
    """The moment after which a closed case may be purged; None while open."""
    if closed_at is None:
        return None
    kept = retention_years(category, years=years, conduct_years=conduct_years)
    return _add_years(closed_at, kept)
