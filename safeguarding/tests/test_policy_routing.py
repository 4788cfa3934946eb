"""route(): each person's channel and format from their preferences."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from safeguarding.policy import Channel, Consent, ConsentKind, PersonKind
from safeguarding.policy.routing import (
    Format,
    Preferences,
    needs_consent_read,
    route,
)

TODAY = dt.date(2026, 3, 10)
E, INBOX = Channel.EMAIL, Channel.IN_APP
BOTH = frozenset({E, INBOX})
CONSENT = Consent(kind=ConsentKind.ADULT, given_on=dt.date(2026, 1, 1), channels=BOTH)
ADULT = Preferences(
    id="a1",
    kind=PersonKind.ADULT_AT_RISK,
    preferred=INBOX,
    reachable=BOTH,
    consent=CONSENT,
)
PARENT = Preferences(id="p1", kind=PersonKind.PARENT, preferred=INBOX, reachable=BOTH)

CASES = [
    ("adult to the inbox they prefer", ADULT, E, INBOX, Format.TEXT),
    ("already on the preferred channel", ADULT, INBOX, INBOX, Format.TEXT),
    (
        "no login: stays on email",
        replace(ADULT, reachable=frozenset({E})),
        E,
        E,
        Format.TEXT,
    ),
    (
        "consent does not cover the inbox",
        replace(ADULT, consent=replace(CONSENT, channels=frozenset({E}))),
        E,
        E,
        Format.TEXT,
    ),
    (
        "consent withdrawn",
        replace(ADULT, consent=replace(CONSENT, withdrawn=True)),
        E,
        E,
        Format.TEXT,
    ),
    ("no consent", replace(ADULT, consent=None), E, E, Format.TEXT),
    ("a parent needs no consent", PARENT, E, INBOX, Format.TEXT),
    (
        "staff stay where the worker sent",
        replace(PARENT, kind=PersonKind.WORKER),
        E,
        E,
        Format.TEXT,
    ),
    (
        "a phone preference cannot move a message",
        replace(PARENT, preferred=Channel.PLATFORM),
        E,
        E,
        Format.TEXT,
    ),
    ("no preference", replace(PARENT, preferred=None), E, E, Format.TEXT),
    (
        "large print by email",
        replace(PARENT, preferred=E, large_print=True),
        E,
        E,
        Format.LARGE_PRINT,
    ),
    (
        "plain text wins over large print",
        replace(PARENT, preferred=E, large_print=True, plain_text=True),
        E,
        E,
        Format.TEXT,
    ),
    (
        "large print does not apply in the inbox",
        replace(PARENT, large_print=True),
        E,
        INBOX,
        Format.TEXT,
    ),
    (
        "to email from an in-app message",
        replace(PARENT, preferred=E),
        INBOX,
        E,
        Format.TEXT,
    ),
]


@pytest.mark.parametrize(
    ("prefs", "channel", "expected", "fmt"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_route(prefs, channel, expected, fmt):
    found = route(prefs, channel, TODAY)
    assert (found.person, found.channel, found.format) == (prefs.id, expected, fmt)


def test_a_child_turned_18_is_routed_as_an_adult_without_consent():
    grown = Preferences(
        id="c1",
        kind=PersonKind.CHILD,
        date_of_birth=dt.date(2000, 1, 1),
        preferred=INBOX,
        reachable=BOTH,
    )
    assert not needs_consent_read(grown, E, TODAY)
    assert route(grown, E, TODAY).channel is E  # an other adult: not family


def test_consent_is_read_only_when_it_could_move_the_message():
    assert needs_consent_read(ADULT, E, TODAY)
    assert not needs_consent_read(ADULT, INBOX, TODAY)
    assert not needs_consent_read(PARENT, E, TODAY)
