"""The fast ways of working are the same as the plain ones, result for result.

Speed work kept two ways of doing some steps (a walk for short texts, numpy
for long ones; a Python walk and numpy sums for the words that moved a
score). Each pair must give identical results on a large varied corpus of
our own disguised messages and on the worst shapes.
"""

from __future__ import annotations

import numpy as np
import pytest

from safeguarding.screening import assess
from safeguarding.screening.evasion import _fold_short, fold_characters
from safeguarding.screening.indicator_model import _word, default_line_model
from safeguarding.screening.model import _labelled, default_model, hashed, label_totals
from safeguarding.tests.synthetic_corpus import messages, worst_shapes

TEXTS = [text for _, text in messages(4_000, seed=11)]
LONG = [
    *worst_shapes(700).values(),
    *("  ".join(TEXTS[i : i + 40]) for i in range(0, 2_000, 40)),
    "\ud800 a lone surrogate",
    "ǆ Ⅻ ﷺ \U0010ffff",
]


def _walked(text: str, weights: list[float], key=None) -> dict[str, float] | None:
    pieces = _labelled(text)
    if len(pieces) != len(weights):
        return None
    totals: dict[str, float] = {}
    for (_, label), weight in zip(pieces, weights, strict=True):
        name = key(label) if key else label
        totals[name] = totals.get(name, 0.0) + weight
    return totals


@pytest.mark.parametrize("text", [t for t in TEXTS[:1_500] + LONG if not t.isascii()])
def test_reading_characters_by_table_matches_the_walk(text):
    fast = fold_characters(text * (1 + 64 // max(len(text), 1)))
    walk = _fold_short(text * (1 + 64 // max(len(text), 1)))
    assert (fast.text, list(fast.starts), list(fast.ends)) == (
        walk.text,
        list(walk.starts),
        list(walk.ends),
    )


def test_word_totals_in_one_pass_match_the_walk_for_both_models():
    risk, lines = default_model(), default_line_model()
    for text in TEXTS[:600] + LONG:
        _, buckets = hashed([text], risk.bits)
        weights = risk.weights[buckets]
        expected = _walked(text, weights.tolist())
        got = label_totals(text, weights)
        assert got == expected
        assert expected is None or list(got or ()) == list(expected)
        fewer = buckets >> (risk.bits - lines.bits)
        for label in range(lines.weights.shape[1]):
            column = lines.weights[fewer, label]
            assert label_totals(text, column, key=_word) == _walked(
                text, column.tolist(), key=_word
            )


def test_the_corpus_gives_the_same_answer_in_any_batch_size():
    pairs = messages(3_000, seed=5)
    whole = [(a.findings, a.model_score, a.event) for a in assess(pairs)]
    small = [(a.findings, a.model_score, a.event) for a in assess(pairs, batch_size=7)]
    assert whole == small
    assert sum(bool(f) for f, _, _ in whole) > 1_000  # findings were there to find
    assert all(s is not None and np.isfinite(s) for _, s, _ in whole)
