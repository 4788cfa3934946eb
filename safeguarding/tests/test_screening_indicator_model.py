"""The line model: which indicator a line shows, why, and how sure.

A tiny model is built by hand here (weights on the hash buckets of our own
words) so the behaviour is checked without the shipped parameters; the
shipped file is checked to load and to stay quiet on ordinary lines.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from safeguarding.screening import ScreeningError, scan
from safeguarding.screening.findings import Finding, Severity
from safeguarding.screening.indicator_model import (
    LABELS,
    LineModel,
    default_line_model,
    with_line_findings,
)
from safeguarding.screening.model import hashed

BITS = 10


def tiny(words: dict[str, tuple[str, float]]) -> LineModel:
    """A model where each word pushes one label by a weight."""
    weights = np.zeros((1 << BITS, len(LABELS)), dtype=np.float32)
    for word, (label, weight) in words.items():
        _, buckets = hashed([word], BITS)
        weights[buckets, LABELS.index(label)] += weight / len(buckets)
    biases = np.full(len(LABELS), -2.0, dtype=np.float32)
    thresholds = np.zeros(len(LABELS), dtype=np.float32)
    return LineModel(BITS, biases, thresholds, weights)


MODEL = tiny(
    {
        "hush": ("secrecy", 30.0),
        "lovely": ("trust", 30.0),
        "road": ("offline", 30.0),
    }
)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("keep it hush ok", "secrecy"),
        ("you are lovely", "trust"),
        ("meet me down the road", "offline"),
        ("see you at choir", None),
        ("", None),
    ],
)
def test_it_names_at_most_one_indicator_per_line(text, label):
    (found,) = MODEL.findings([text])
    if label is None:
        assert found == ()
        return
    (finding,) = found
    assert finding.source == "model"
    assert (
        finding.indicator
        == {
            "secrecy": "grooming.secrecy",
            "trust": "grooming.flattery",
            "offline": "grooming.meeting",
        }[label]
    )


def test_a_model_finding_says_why_and_how_sure():
    (finding,) = MODEL.findings(["Keep it HUSH, ok?"])[0]
    assert finding.words[0] == "hush"
    assert "\u201chush\u201d" in finding.explanation
    assert "secrecy and isolation" in finding.explanation
    assert 0.5 < (finding.confidence or 0) <= 1
    assert finding.evidence == "HUSH"  # the moving word, as written
    assert (finding.start, finding.end) == (8, 12)


def test_evidence_falls_back_to_the_start_of_a_line_when_no_word_is_found():
    weights = np.zeros((1 << BITS, len(LABELS)), dtype=np.float32)
    biases = np.array([5, -9, -9, -9, -9, -9], dtype=np.float32)
    model = LineModel(BITS, biases, np.zeros(len(LABELS), np.float32), weights)
    (finding,) = model.findings(["x" * 500])[0]
    assert (finding.start, finding.end) == (0, 300)
    assert finding.words == ()
    assert "mostly because" not in finding.explanation


def test_a_line_model_finding_that_repeats_a_word_list_finding_is_dropped():
    text = "delete this chat, it is our secret, hush"
    listed = scan(text)
    assert "grooming.secrecy" in {f.indicator for f in listed}
    (merged,) = with_line_findings([text], [listed], MODEL)
    assert merged == listed
    (alone,) = with_line_findings(["hush now"], [()], MODEL)
    assert [f.source for f in alone] == ["model"]
    assert with_line_findings([text], [listed], None) == [listed]


def test_confidence_words_say_how_sure():
    strong = tiny({"hush": ("secrecy", 30.0)})
    weak = tiny({"hush": ("secrecy", 6.0)})
    assert "very likely" in strong.findings(["hush"])[0][0].explanation
    assert "(possible)" in weak.findings(["hush"])[0][0].explanation
    middle = tiny({"hush": ("secrecy", 10.0)})
    assert "(likely)" in middle.findings(["hush"])[0][0].explanation


def test_it_round_trips_through_its_file_format():
    again = LineModel.from_bytes(MODEL.to_bytes())
    texts = ["keep it hush", "you are lovely", "nothing here"]
    assert again.labels(again.scores(texts)) == MODEL.labels(MODEL.scores(texts))
    assert again.weights.dtype == np.float32


@pytest.mark.parametrize(
    "raw",
    [b"", b"not a model", np.zeros(3).tobytes()],
)
def test_a_broken_file_is_a_clear_error(raw):
    with pytest.raises(ScreeningError):
        LineModel.from_bytes(raw)


def test_a_file_of_another_format_or_shape_is_refused(tmp_path):
    def saved(**arrays: Any) -> bytes:
        out = io.BytesIO()
        np.savez(out, **arrays)
        return out.getvalue()

    six = np.zeros(len(LABELS))
    good = {
        "format": np.array("safecontact-line-indicators/1"),
        "bits": np.array(4),
        "biases": six,
        "thresholds": six,
        "scales": six,
        "weights": np.zeros((16, len(LABELS)), dtype=np.int8),
    }
    assert LineModel.from_bytes(saved(**good)).bits == 4
    for change in (
        {"format": np.array("other")},
        {"weights": np.zeros((8, len(LABELS)), dtype=np.int8)},
        {"biases": np.zeros(2)},
    ):
        with pytest.raises(ScreeningError):
            LineModel.from_bytes(saved(**{**good, **change}))
    with pytest.raises(ScreeningError):
        LineModel.load(tmp_path / "missing.npz")


def test_the_shipped_model_loads_and_stays_quiet_on_ordinary_lines():
    model = default_line_model()
    ordinary = [
        "See you at youth club on Thursday at 7.",
        "Please bring a packed lunch for the trip.",
        "The rota for Sunday is on the noticeboard.",
        "Remember your permission slips by Friday.",
    ]
    assert all(found == () for found in model.findings(ordinary))


def test_a_finding_defaults_to_the_word_lists():
    finding = Finding("pii.email", Severity.LOW, 0, 1, "a", "why", "what")
    assert (finding.source, finding.confidence, finding.words) == (
        "word list",
        None,
        (),
    )


def test_one_hash_serves_both_models_with_the_same_scores():
    from safeguarding.screening.indicator_model import score_batch
    from safeguarding.screening.model import default_model

    risk, lines = default_model(), default_line_model()
    texts = ["how old r u", "see you at choir", "", "u r so cute :)"]
    risk_scores, line_scores = score_batch(texts, risk, lines)
    assert risk_scores == risk.scores(texts).tolist()
    assert line_scores is not None
    assert np.allclose(line_scores, lines.scores(texts), atol=1e-5)
    alone, none = score_batch(texts, None, None)
    assert alone == [None] * 4 and none is None
    small = LineModel(BITS, lines.biases, lines.thresholds, MODEL.weights)
    separate, _ = score_batch(texts, risk, small)
    assert separate == risk_scores


def hidden(words: dict[str, tuple[str, float]]) -> LineModel:
    """The same words through a hidden layer (format 2): each word's buckets
    carry a vector that one unit per label turns into that label's log-odds."""
    dims = len(LABELS)
    vectors = np.zeros((1 << BITS, dims), dtype=np.float32)
    for word, (label, weight) in words.items():
        _, buckets = hashed([word], BITS)
        vectors[buckets, LABELS.index(label)] += weight / len(buckets)
    layer = np.eye(dims, dtype=np.float32)
    return LineModel(
        BITS,
        np.full(len(LABELS), -2.0, dtype=np.float32),
        np.zeros(len(LABELS), dtype=np.float32),
        vectors,
        layer,
        np.zeros(dims, dtype=np.float32),
        layer.copy(),
    )


HIDDEN = hidden({"hush": ("secrecy", 30.0), "lovely": ("trust", 30.0)})


def test_a_hidden_layer_model_names_the_label_and_the_words_that_moved_it():
    (finding,) = HIDDEN.findings(["Keep it HUSH, ok?"])[0]
    assert finding.indicator == "grooming.secrecy"
    assert finding.words[0] == "hush"
    assert finding.evidence == "HUSH"
    (trust,) = HIDDEN.findings(["you are lovely"])[0]
    assert trust.indicator == "grooming.flattery"
    assert HIDDEN.findings(["see you at choir"]) == [()]


def test_a_hidden_layer_model_round_trips_through_format_2():
    raw = HIDDEN.to_bytes()
    with np.load(io.BytesIO(raw)) as data:
        assert str(data["format"]) == "safecontact-line-indicators/2"
    again = LineModel.from_bytes(raw)
    texts = ["keep it hush", "you are lovely", "nothing here"]
    assert np.allclose(again.scores(texts), HIDDEN.scores(texts), atol=0.05)
    assert again.labels(again.scores(texts)) == HIDDEN.labels(HIDDEN.scores(texts))
    assert again.hidden is not None and again.out is not None


def test_a_format_2_file_with_a_bad_layer_is_refused():
    with np.load(io.BytesIO(HIDDEN.to_bytes())) as data:
        arrays = {key: data[key] for key in data.files}
    for change in (
        {"out": np.zeros((3, len(LABELS)), dtype=np.float32)},
        {"hidden": np.zeros((2, 2), dtype=np.float32)},
        {"scales": np.zeros(2)},
    ):
        out = io.BytesIO()
        np.savez(out, **{**arrays, **change})
        with pytest.raises(ScreeningError):
            LineModel.from_bytes(out.getvalue())
    out = io.BytesIO()
    np.savez(out, **{k: v for k, v in arrays.items() if k != "hidden"})
    with pytest.raises(ScreeningError):
        LineModel.from_bytes(out.getvalue())


def test_one_hash_serves_a_hidden_layer_model_with_the_same_scores():
    from safeguarding.screening.indicator_model import score_batch
    from safeguarding.screening.model import default_model

    risk = default_model()
    texts = ["keep it hush", "see you at choir", "", "you are lovely"]
    wide = hidden({"hush": ("secrecy", 30.0)})
    wide = LineModel(
        risk.bits,
        wide.biases,
        wide.thresholds,
        np.resize(wide.weights, (1 << risk.bits, len(LABELS))),
        wide.hidden,
        wide.hidden_bias,
        wide.out,
    )
    _, line_scores = score_batch(texts, risk, wide)
    assert line_scores is not None
    assert np.allclose(line_scores, wide.scores(texts), atol=1e-4)
