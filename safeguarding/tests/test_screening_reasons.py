"""The learned model's reasons for a rise to high, in words a Lead follows."""

from __future__ import annotations

import pytest

from safeguarding.screening.model import default_model
from safeguarding.screening.reasons import (
    how_strongly,
    model_reasons,
    words_that_raised,
)
from safeguarding.screening.risk import Level, RiskEvent, Thresholds

# Our own made-up lines.
TEXTS = [
    "you are so mature for your age",
    "are your parents home after school?",
    "delete this chat after ok, it is our secret",
]


def event(lean: float | None, score: float = 3.0) -> RiskEvent:
    return RiskEvent(len(TEXTS) - 1, "sam", Level.MEDIUM, Level.HIGH, score, (), lean)


@pytest.mark.parametrize(
    ("lean", "word"),
    [
        (2.0, "strongly"),
        (1.0, "strongly"),
        (0.5, "clearly"),
        (0.1, "slightly"),
        (0.0, "not"),
        (-1.0, "not"),
    ],
)
def test_a_lean_is_told_in_a_word(lean, word):
    assert how_strongly(lean) == word


def test_the_words_that_raised_the_reading_are_words_of_the_messages():
    words = words_that_raised(TEXTS, default_model())
    assert 0 < len(words) <= 5
    text = " ".join(TEXTS).lower()
    assert all(part in text for w in words for part in w.split())


def test_a_rise_with_a_lean_says_how_it_read_which_words_and_the_sum():
    reasons = model_reasons(event(0.5), TEXTS, default_model())
    assert reasons[0].startswith("Read together, these 3 messages read clearly")
    assert reasons[1].startswith("The words that pushed that reading most: \u201c")
    assert "50 \u00d7 lean 0.50 + 3 points = 28.0" in reasons[2]


def test_a_rise_without_a_lean_says_the_findings_raised_it():
    reasons = model_reasons(event(-0.2, 9.0), TEXTS, default_model())
    assert "do not lean towards grooming" in reasons[0]
    assert not any(r.startswith("The words") for r in reasons)


@pytest.mark.parametrize(("lean", "model"), [(None, default_model()), (0.4, None)])
def test_without_the_model_the_word_lists_alone_are_named(lean, model):
    reasons = model_reasons(event(lean, 10.0), TEXTS, model)
    t = Thresholds()
    assert reasons == (
        f"The word lists alone raised this level: a harm stage, 10 points "
        f"(high needs {t.high:g}) and at least {t.high_stages} kinds of grooming "
        "indicator.",
    )
