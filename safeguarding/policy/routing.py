"""How each person receives a message the rules allowed: which channel, and
in what form (accessibility preferences used by delivery, not just stored).

A person may prefer another of the channels SafeContact delivers on (email or
their SafeContact inbox), ask for plain-text email only, or for large print.
The preferred channel is used only when the organisation can reach them there
and, for a child or an adult at risk, when their consent in force covers that
channel too; otherwise the message stays on the channel the worker chose.
Preferences are for the people contact is about and their families; staff
messages stay where the worker sent them.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from safeguarding.policy.consent import ConsentState, consent_state
from safeguarding.policy.inputs import Channel, Consent, PersonKind, Recipient
from safeguarding.policy.people import effective_kind

# The channels delivery can use; a preference for any other (a phone call)
# is shown to workers but cannot move a message.
DELIVERED = frozenset({Channel.EMAIL, Channel.IN_APP})
FAMILY = frozenset({PersonKind.CHILD, PersonKind.PARENT, PersonKind.ADULT_AT_RISK})
NEEDS_CONSENT = frozenset({PersonKind.CHILD, PersonKind.ADULT_AT_RISK})


class Format(enum.StrEnum):
    TEXT = "text"  # plain text: SafeContact's usual email
    LARGE_PRINT = "large_print"  # plain text with a large-print HTML version


@dataclass(frozen=True, slots=True)
class Preferences:
    """One person's wishes and what the organisation holds to honour them.

    ``preferred`` is None when they named no channel delivery can use;
    ``reachable`` the channels the organisation has an address or login for;
    ``consent`` their newest consent record (children and adults at risk).
    """

    id: str
    kind: PersonKind
    date_of_birth: dt.date | None = None
    preferred: Channel | None = None
    reachable: frozenset[Channel] = frozenset()
    consent: Consent | None = None
    large_print: bool = False
    plain_text: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    person: str
    channel: Channel
    format: Format


def route(prefs: Preferences, channel: Channel, today: dt.date) -> Route:
    """Where and how ``prefs.id`` receives a message sent on ``channel``."""
    chosen = channel
    if prefs.preferred is not None and _may_move(prefs, channel, today):
        chosen = prefs.preferred
    fmt = Format.TEXT
    # Plain text wins: in a plain-text email the reader's own settings set
    # the size, which is what someone who asks for plain text wants.
    if chosen is Channel.EMAIL and prefs.large_print and not prefs.plain_text:
        fmt = Format.LARGE_PRINT
    return Route(prefs.id, chosen, fmt)


def needs_consent_read(prefs: Preferences, channel: Channel, today: dt.date) -> bool:
    """Whether ``route`` would read the consent: so callers load it only then."""
    return (
        _wants_to_move(prefs, channel, today) and _kind(prefs, today) in NEEDS_CONSENT
    )


def _kind(prefs: Preferences, today: dt.date) -> PersonKind:
    return effective_kind(
        Recipient(id=prefs.id, kind=prefs.kind, date_of_birth=prefs.date_of_birth),
        today,
    )


def _wants_to_move(prefs: Preferences, channel: Channel, today: dt.date) -> bool:
    return (
        prefs.preferred is not None
        and prefs.preferred is not channel
        and prefs.preferred in DELIVERED
        and prefs.preferred in prefs.reachable
        and _kind(prefs, today) in FAMILY
    )


def _may_move(prefs: Preferences, channel: Channel, today: dt.date) -> bool:
    if not _wants_to_move(prefs, channel, today):
        return False
    if _kind(prefs, today) not in NEEDS_CONSENT:
        return True
    c = prefs.consent
    return (
        c is not None
        and consent_state(c, today) is ConsentState.CURRENT
        and prefs.preferred in c.channels
    )
