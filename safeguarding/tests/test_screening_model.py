"""The hashed-word model: scoring, explanations and its parameters file."""

from __future__ import annotations

import json

import pytest

from safeguarding.screening import ScreeningError
from safeguarding.screening.model import (
    FORMAT,
    RiskModel,
    bucket,
    default_model,
    features,
)

BITS = 8


def _model(weights):
    return RiskModel.from_dict(
        {
            "format": FORMAT,
            "bits": BITS,
            "bias": -1.0,
            "weights": {str(bucket(f, BITS)): w for f, w in weights.items()},
        }
    )


def test_features_are_words_and_word_pairs():
    assert features("Keep it QUIET") == ["keep", "it", "quiet", "keep it", "it quiet"]


def test_score_adds_the_weights_of_the_message_words():
    model = _model({"secret": 2.0, "hello": -0.5})
    assert model.score("a secret") == pytest.approx(
        1.0
        + model.weights.get(bucket("a", BITS), 0.0)
        + model.weights.get(bucket("a secret", BITS), 0.0)
    )
    assert 0.5 < model.probability("secret secret") < 1.0
    assert model.probability("x" * 10) == pytest.approx(
        1 / (1 + 2.718281828**1.0), 1e-3
    )


def test_explain_names_the_words_that_raised_the_score():
    model = _model({"secret": 2.0, "hello": -0.5})
    top = model.explain("hello secret")
    assert top[0] == ("secret", 2.0)
    assert all(weight > 0 for _, weight in top)


@pytest.mark.parametrize(
    "data",
    [
        {"format": "other"},
        {"format": FORMAT, "bits": "8", "bias": 0.0, "weights": {}},
        {"format": FORMAT, "bits": 8, "bias": 0.0, "weights": []},
    ],
)
def test_it_refuses_bad_parameter_files(data):
    with pytest.raises(ScreeningError):
        RiskModel.from_dict(data)


def test_load_reads_a_file_and_reports_unreadable_ones(tmp_path):
    path = tmp_path / "params.json"
    path.write_text(
        json.dumps({"format": FORMAT, "bits": 4, "bias": 0.5, "weights": {"3": 1.5}})
    )
    assert RiskModel.load(path).weights == {3: 1.5}
    with pytest.raises(ScreeningError):
        RiskModel.load(tmp_path / "missing.json")


def test_the_shipped_parameters_hold_numbers_only():
    model = default_model()
    assert model.bits >= 16
    assert all(isinstance(k, int) for k in model.weights)
    assert isinstance(model.score("hello there"), float)
