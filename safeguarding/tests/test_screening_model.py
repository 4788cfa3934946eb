"""The hashed-word model: hashing, scoring, explanations and its parameters file."""

from __future__ import annotations

import io

import numpy as np
import pytest

from safeguarding.screening import ScreeningError
from safeguarding.screening.model import (
    FORMAT,
    PARAMS,
    RiskModel,
    default_model,
    features,
    hashed,
    normalise,
)

BITS = 8


def _model(weights: dict[str, float], bias: float = -1.0) -> RiskModel:
    dense = np.zeros(1 << BITS, dtype=np.float32)
    for feature, weight in weights.items():
        _, buckets = hashed([feature], BITS)
        # A word's (or pair's) own bucket comes before the letter runs.
        dense[buckets[features(feature).index(feature)]] = weight
    return RiskModel(BITS, bias, dense)


def test_features_are_words_then_word_pairs_then_letter_runs():
    assert features("Keep it") == [
        "keep",
        "it",
        "keep it",
        " ke",
        "kee",
        "eep",
        "ep ",
        " it",
        "it ",
        " kee",
        "keep",
        "eep ",
        " it ",
    ]


def test_letter_runs_let_spellings_of_a_word_share_buckets():
    def runs(text: str) -> set[int]:
        _, buckets = hashed([text], 16)
        return set(buckets[len(features(text)) - len(features(text)[2:]) :].tolist())

    assert len(runs("pics") & runs("picss")) >= 3
    assert not runs("pics") & runs("rota")


def test_letter_runs_keep_the_marks_typed_inside_a_word():
    assert " u.r" in features("u.r ok")
    assert "!! " in features("hi!!")
    assert "é" in "".join(features("café"))


def test_words_and_letter_runs_never_share_a_bucket():
    _, buckets = hashed(["secret hello there"], BITS)
    words = buckets[:5]
    runs = buckets[5:]
    assert (words < (1 << (BITS - 1))).all()
    assert (runs >= (1 << (BITS - 1))).all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't", "dont"),
        ("don\u2019t", "dont"),
        ("soooo cuuute", "soo cuute"),
        ("really??? ok", "really ?  ?  ?  ok"),
        ("1000000 people", "100 people"),
    ],
)
def test_normalising_folds_chat_spellings(text, expected):
    assert normalise(text) == expected


def test_a_question_mark_is_a_word_of_its_own():
    assert features("u ok?")[:5] == ["u", "ok", "?", "u ok", "ok ?"]


@pytest.mark.parametrize(
    "texts",
    [
        ["hello there", "", "how are you?", "caf\u00e9 na\u00efve ok", "soooo ok"],
        ["line one\nline two", "tab\tand\x00zero", "\U0001f600 emoji only"],
        ["", ""],
        ["pic\U0001f609 u.r xoxo!!", "a", "ab cd"],
        [],
    ],
)
def test_batch_hashing_matches_the_words_of_each_message(texts):
    index, buckets = hashed(texts, BITS)
    assert len(index) == len(buckets)
    for position, text in enumerate(texts):
        mine = buckets[index == position]
        assert len(mine) == len(features(text))
        _, alone = hashed([text], BITS)
        assert mine.tolist() == alone.tolist()
    assert all(0 <= b < (1 << BITS) for b in buckets.tolist())


def test_hashing_is_stable_across_runs():
    _, first = hashed(["keep it quiet"], 16)
    _, again = hashed(["keep it quiet"], 16)
    assert first.tolist() == again.tolist()
    assert len(set(first.tolist()[:5])) == 5


def test_score_adds_the_weights_of_the_message_words():
    model = _model({"secret": 2.0, "hello": -0.5})
    assert model.score("secret") == pytest.approx(1.0)
    assert model.score("hello") == pytest.approx(-1.5)
    assert model.score("") == pytest.approx(-1.0)
    scores = model.scores(["secret", "hello", "secret secret"])
    assert scores.tolist() == pytest.approx([1.0, -1.5, 3.0 + _pair(model)])
    assert 0.5 < model.probability("secret") < 1.0


def _pair(model: RiskModel) -> float:
    _, buckets = hashed(["secret secret"], BITS)
    return float(model.weights[buckets[2]])


def test_explain_names_the_words_that_raised_the_score():
    model = _model({"secret": 2.0, "hello": -0.5})
    top = model.explain("hello secret")
    assert top[0] == ("secret", 2.0)
    assert all(weight > 0 for _, weight in top)
    assert model.explain("hello") == ()


def test_parameters_round_trip_through_bytes_within_quantisation():
    weights = np.linspace(-2, 2, 1 << BITS, dtype=np.float32)
    model = RiskModel(BITS, 0.25, weights)
    again = RiskModel.from_bytes(model.to_bytes())
    assert again.bits == BITS and again.bias == 0.25
    assert np.abs(again.weights - weights).max() <= 2 / 127
    zero = RiskModel.from_bytes(RiskModel(BITS, 0.0, weights * 0).to_bytes())
    assert not zero.weights.any()


def _npz(**arrays: object) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize(
    "raw",
    [
        b"not a file",
        _npz(format=np.array("other"), header=np.zeros(3), weights=np.zeros(4)),
        _npz(format=np.array(FORMAT)),
        _npz(
            format=np.array(FORMAT),
            header=np.array([4.0, 0.0, 1.0]),
            weights=np.zeros(3, dtype=np.int8),
        ),
        _npz(
            format=np.array(FORMAT),
            header=np.array([2.0, 0.0, 1.0]),
            weights=np.zeros(4, dtype=np.float32),
        ),
    ],
)
def test_it_refuses_bad_parameter_files(raw):
    with pytest.raises(ScreeningError):
        RiskModel.from_bytes(raw)


def test_load_reads_a_file_and_reports_unreadable_ones(tmp_path):
    path = tmp_path / "params.npz"
    path.write_bytes(_model({"secret": 2.0}).to_bytes())
    assert RiskModel.load(path).score("secret") == pytest.approx(1.0, abs=0.02)
    with pytest.raises(ScreeningError):
        RiskModel.load(tmp_path / "missing.npz")


def test_the_shipped_parameters_are_small_and_hold_numbers_only():
    assert PARAMS.stat().st_size < 500_000
    with np.load(PARAMS, allow_pickle=False) as data:
        assert sorted(data.files) == ["format", "header", "weights"]
        assert data["weights"].dtype == np.int8
    model = default_model()
    assert model.bits >= 16
    assert isinstance(model.score("hello there"), float)
