"""The fast ways of working are the same as the plain ones, result for result.

Speed work kept two ways of doing some steps (a walk for short texts, numpy
for long ones; a Python walk and numpy sums for the words that moved a
score; the feature function and the compiled pass for the models' scores;
batches of messages and batches cut by characters). Each pair must give
identical results on a large varied corpus of our own disguised messages,
on random text over the characters that matter and on the worst shapes.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from safeguarding.screening import assess, pipeline, scoring
from safeguarding.screening.evasion import (
    _fold_short,
    fold_characters,
    read_plain,
    read_plain_many,
)
from safeguarding.screening.indicator_model import (
    _scorer,
    _word,
    default_line_model,
    score_batch,
)
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


@pytest.mark.parametrize("batch", [1, 5, 4096])
def test_reading_a_batch_by_table_matches_reading_each_text(batch):
    texts = [*TEXTS, *LONG, *_odd_texts(3_000, seed=batch)]
    texts += ["\ud83d\ude09", "a\ue000b", "", "é"]  # halves of a pair; our marker
    random.Random(batch).shuffle(texts)
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        assert read_plain_many(part) == [read_plain(t) for t in part], start


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


def _reference_scores(texts, risk, lines):
    """Both models' scores straight from the feature function (``hashed``)."""
    index, buckets = hashed(texts, risk.bits)
    sums = np.bincount(index, weights=risk.weights[buckets], minlength=len(texts))
    fewer = buckets >> (risk.bits - lines.bits)
    line_scores = lines.scores_hashed(index, fewer, len(texts))
    return (sums + risk.bias).astype(np.float32).tolist(), line_scores


def _odd_texts(count: int, seed: int) -> list[str]:
    """Random text over the characters the feature function treats apart:
    the blanks that part pieces, NUL, apostrophes, question marks, runs of
    one letter, other whitespace, emoji, other alphabets, half a UTF-16 pair."""
    rng = random.Random(seed)
    alphabet = [
        *"aaabbsssee0011??''",
        *" " * 8,
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x0b",
        "\xa0",
        "\u2019",
        "\u200b",
        "İ",
        "Σ",
        "д",
        "😉",
        "\ud800",
        ".",
        ",",
        "!",
    ]
    return [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        for _ in range(count)
    ]


@pytest.mark.parametrize("batch", [1, 3, 64, 4096])
def test_scores_from_the_compiled_pass_match_the_feature_function(batch):
    risk, lines = default_model(), default_line_model()
    texts = TEXTS[:2_000] + _odd_texts(2_000, seed=batch) + LONG
    random.Random(batch).shuffle(texts)
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        got_risk, got_lines = score_batch(part, risk, lines)
        want_risk, want_lines = _reference_scores(part, risk, lines)
        assert got_risk == want_risk, start
        assert got_lines is not None
        assert np.array_equal(got_lines, want_lines), start


def test_the_compiled_pass_is_in_use():
    # Without it the numpy path gives the same numbers, only slower: the
    # parity tests above would pass and prove nothing.
    risk, lines = default_model(), default_line_model()
    assert scoring.COMPILED
    assert _scorer(risk, lines)._tables is not None


def test_the_feature_constants_are_the_ones_this_compiled_pass_was_written_for():
    # numba's disk cache is judged fresh from scoring.py alone, and the
    # constants are compiled into it: a change in model.py must change
    # scoring.py's FEATURES_DIGEST too, or a deploy keeps the old kernel.
    assert scoring.features_digest() == scoring.FEATURES_DIGEST


def test_the_compiled_pass_counts_and_sums_like_the_feature_function():
    risk, lines = default_model(), default_line_model()
    scorer = _scorer(risk, lines)
    texts = [*TEXTS[:500], *_odd_texts(500, seed=2), *LONG, "", "\x00", "aaaa"]
    got, counts = scorer.sums(texts)
    want, want_counts = scorer._reference(texts)
    assert np.array_equal(got, want)
    assert np.array_equal(counts, want_counts)


def test_a_long_word_is_gathered_in_chunks_in_order():
    # More features than one chunk of buckets, in one message and across two.
    risk, lines = default_model(), default_line_model()
    scorer = _scorer(risk, lines)
    texts = ["x" + "ab" * scoring._CHUNK, "a b " * scoring._CHUNK, "hi"]
    got, counts = scorer.sums(texts)
    want, want_counts = scorer._reference(texts)
    assert np.array_equal(got, want)
    assert np.array_equal(counts, want_counts)


def test_a_batch_without_a_word_scores_as_the_feature_function_does():
    risk, lines = default_model(), default_line_model()
    for part in (["😉😉", "!!", ""], ["\u200b"], [""], ["😉😉"]):
        got_risk, got_lines = score_batch(part, risk, lines)
        want_risk, want_lines = _reference_scores(part, risk, lines)
        assert got_risk == want_risk
        assert got_lines is not None
        assert np.array_equal(got_lines, want_lines)


@pytest.mark.parametrize("text", ["😉😉", "!!!", "é", "\u200b", "a", "hi 😉"])
def test_a_message_scores_the_same_alone_and_in_a_batch(text):
    # The gateway reads one message at a time, the models were fitted on
    # batches: a message without a word once lost its letter runs alone.
    risk, lines = default_model(), default_line_model()
    alone_risk, alone_lines = _reference_scores([text], risk, lines)
    batch_risk, batch_lines = _reference_scores(["hello there", text], risk, lines)
    assert alone_risk[0] == batch_risk[1]
    assert np.array_equal(alone_lines[0], batch_lines[1])
    fast_risk, fast_lines = score_batch([text], risk, lines)
    assert fast_risk == alone_risk
    assert fast_lines is not None
    assert np.array_equal(fast_lines[0], alone_lines[0])


def test_batches_cut_by_characters_give_the_same_answer(monkeypatch):
    pairs = messages(1_500, seed=8) + [("long", text) for text in LONG[:5]]
    whole = [(a.findings, a.model_score, a.event) for a in assess(pairs)]
    monkeypatch.setattr(pipeline, "BATCH_CHARS", 700)
    sizes = [len(texts) for _, texts in pipeline._batches(iter(pairs), 4096)]
    assert max(sizes) < 100 and sum(sizes) == len(pairs)
    cut = [(a.findings, a.model_score, a.event) for a in assess(pairs)]
    assert cut == whole


def test_a_very_long_message_scores_the_same():
    risk, lines = default_model(), default_line_model()
    long = ("s3nd me a p1c 😉 " * 12_600)[:200_001]
    part = ["hello", long]
    got_risk, got_lines = score_batch(part, risk, lines)
    want_risk, want_lines = _reference_scores(part, risk, lines)
    assert got_risk == want_risk
    assert got_lines is not None
    assert np.array_equal(got_lines, want_lines)
