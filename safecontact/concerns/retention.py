"""How long a closed case is kept, by category.

The clock starts when the case is closed; open cases are never purged.

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

DEFAULT_YEARS = 7
YEARS_BY_CATEGORY = {
    "online_contact": 7,
    "grooming": 7,
    "personal_details": 7,
    "peer_harm": 7,
    "worker_conduct": 10,
    "other": 7,
}


def retention_years(category: str) -> int:
    return YEARS_BY_CATEGORY.get(category, DEFAULT_YEARS)


def _add_years(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def keep_until(
    category: str, closed_at: datetime.datetime | None
) -> datetime.datetime | None:
    """The moment after which a closed case may be purged; None while open."""
    if closed_at is None:
        return None
    return _add_years(closed_at, retention_years(category))
