"""The organisation's date, worked out by the policy core, not the server's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from safeguarding.policy import local_day


def org_today(organisation: Any, now: dt.datetime | None = None) -> dt.date:
    """Today in ``organisation``'s timezone: the day ages, consent, clearance
    and leaving dates are judged on."""
    return local_day(now or timezone.now(), organisation.timezone)
