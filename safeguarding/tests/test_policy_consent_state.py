"""consent_state(): the one definition of "consent is current"."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.policy import Consent, ConsentKind, ConsentState, consent_state

D = dt.date
TODAY = D(2025, 6, 1)
GIVEN = Consent(
    kind=ConsentKind.PARENTAL, given_on=D(2025, 1, 1), expires_on=D(2025, 12, 31)
)


@pytest.mark.parametrize(
    ("consent", "kind", "state"),
    [
        (None, None, ConsentState.MISSING),
        (GIVEN, None, ConsentState.CURRENT),
        (GIVEN, ConsentKind.PARENTAL, ConsentState.CURRENT),
        (GIVEN, ConsentKind.ADULT, ConsentState.MISSING),
        (Consent(ConsentKind.PARENTAL, D(2025, 1, 1)), None, ConsentState.CURRENT),
        (
            Consent(ConsentKind.PARENTAL, D(2025, 1, 1), withdrawn=True),
            None,
            ConsentState.WITHDRAWN,
        ),
        (Consent(ConsentKind.ADULT, TODAY), None, ConsentState.CURRENT),
        (
            Consent(ConsentKind.ADULT, TODAY + dt.timedelta(days=1)),
            None,
            ConsentState.NOT_STARTED,
        ),
        (Consent(ConsentKind.ADULT, D(2024, 1, 1), TODAY), None, ConsentState.CURRENT),
        (
            Consent(ConsentKind.ADULT, D(2024, 1, 1), TODAY - dt.timedelta(days=1)),
            None,
            ConsentState.EXPIRED,
        ),
    ],
)
def test_it_names_the_state_of_the_newest_record(consent, kind, state):
    assert consent_state(consent, TODAY, kind) is state


def test_each_state_has_plain_words():
    assert ConsentState.NOT_STARTED.label == "not in force yet"
    assert ConsentState.EXPIRED.label == "expired"
