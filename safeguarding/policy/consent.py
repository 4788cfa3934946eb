"""Whether a consent is in force: the one definition every page and rule uses."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection

from safeguarding.policy.inputs import Consent, ConsentKind


class ConsentState(enum.StrEnum):
    CURRENT = "current"
    MISSING = "missing"
    WITHDRAWN = "withdrawn"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        """Plain words: "consent is {label}"."""
        return "not in force yet" if self is ConsentState.NOT_STARTED else self.value


def consent_state(
    consent: Consent | None, today: dt.date, kind: ConsentKind | None = None
) -> ConsentState:
    """The state on ``today`` of the newest consent record (the one in force).

    Valid from ``given_on`` through ``expires_on``, both days inclusive. With
    ``kind``, a record of the other kind (an adult's own consent for a child,
    say) counts as missing.
    """
    if consent is None or (kind is not None and consent.kind is not kind):
        return ConsentState.MISSING
    if consent.withdrawn:
        return ConsentState.WITHDRAWN
    if consent.given_on > today:
        return ConsentState.NOT_STARTED
    if consent.expires_on is not None and consent.expires_on < today:
        return ConsentState.EXPIRED
    return ConsentState.CURRENT


def consent_fits_group(
    named_groups: Collection[object],
    allowed_purposes: Collection[object],
    group: object,
    group_purposes: Collection[object],
) -> bool:
    """Whether a consent record covers being in ``group``, whatever the day.

    It names the group, or names no group at all (it covers every group),
    and it allows at least one of the group's purposes. Ids of any kind,
    compared as given. Whether the record is in force on a day is
    ``consent_state``'s question, asked separately.
    """
    named = not named_groups or group in named_groups
    return named and any(p in allowed_purposes for p in group_purposes)
