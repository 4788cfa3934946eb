"""The line model: which grooming indicator a single line shows, and why.

The word lists name an indicator only where a listed phrase appears; most
lines that carry one say it in other words. This model reads every line and
names at most one of six indicators (trust building, information gathering,
secrecy and isolation, sexualisation, control and coercion, offline
escalation), with how sure it is and the words that moved it, so a Lead sees
the lines an expert would highlight, each marked as the model's.

It reads the same hashed words, word pairs and letter runs as the risk model
(``model.hashed``), so no vocabulary ships. Two shapes share one interface:

- *linear* (file format 1, the one shipped): int8 weights per hash bucket
  and label, so a label's score is the line's sum of its buckets' weights
  plus a bias;
- *hidden layer* (format 2, fitted with ``--hidden``, not shipped): int8 vectors per hash bucket, summed
  over the line as in the linear shape, then one small ReLU layer and a
  log-odds per label against "neutral" (a fastText-style model).

Both ship a scale per column, the biases and the operating point (a
log-odds threshold) per label. ``benchmarks/fit_indicator_model.py`` fits
it on the hand-labelled DEV lines (``docs/annotation.md``) and chooses each
threshold out of fold.
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from safeguarding.screening.errors import ScreeningError
from safeguarding.screening.findings import Finding
from safeguarding.screening.indicators import get_indicator
from safeguarding.screening.model import RiskModel, hashed, label_totals
from safeguarding.screening.scoring import Scorer

FORMAT = "safecontact-line-indicators/1"  # linear
FORMAT_HIDDEN = "safecontact-line-indicators/2"  # hashed vectors, one ReLU layer
PARAMS = Path(__file__).with_name("indicator_params.npz")
SOURCE = "model"
LABELS = ("trust", "info", "secrecy", "sexual", "control", "offline")
# The taxonomy entry each label is shown as, and the words for it.
INDICATOR_OF = {
    "trust": "grooming.flattery",
    "info": "grooming.probing",
    "secrecy": "grooming.secrecy",
    "sexual": "grooming.sexual",
    "control": "grooming.coercion",
    "offline": "grooming.meeting",
}
NAME_OF = {
    "trust": "trust building",
    "info": "information gathering",
    "secrecy": "secrecy and isolation",
    "sexual": "sexualisation",
    "control": "control and coercion",
    "offline": "moving towards meeting or another app",
}
_MARKS = string.punctuation + " "
EVIDENCE_LIMIT = 300  # characters of a line shown when no moving word is found
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class LineModel:
    """Weights per hash bucket; ``scores`` are log-odds per label.

    Linear when ``hidden`` is None: ``weights`` is (buckets, labels). With a
    hidden layer, ``weights`` is (buckets, dims) and a line's scaled sum of
    its buckets' rows goes through ``relu(sum @ hidden + hidden_bias) @
    out + biases``: each label's log-odds against a neutral line.
    """

    bits: int
    biases: FloatArray  # (labels,)
    thresholds: FloatArray  # (labels,) log-odds at the operating point
    weights: FloatArray  # (buckets, labels) or (buckets, dims)
    hidden: FloatArray | None = None  # (dims, units)
    hidden_bias: FloatArray | None = None  # (units,)
    out: FloatArray | None = None  # (units, labels)
    # The same weights, one contiguous row per column: gathers faster.
    by_label: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_label", np.ascontiguousarray(self.weights.T))

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """Log-odds of each label for each text, shape (texts, labels)."""
        index, buckets = hashed(texts, self.bits)
        return self.scores_hashed(index, buckets, len(texts))

    def scores_hashed(
        self, index: IntArray, buckets: IntArray, count: int
    ) -> FloatArray:
        """``scores`` from ``hashed(texts, self.bits)`` computed already."""
        by_label = self.by_label
        sums = np.empty((count, len(by_label)), dtype=np.float32)
        for j in range(len(by_label)):
            sums[:, j] = np.bincount(index, by_label[j][buckets], minlength=count)
        return self.head(sums * length_scale(index, count)[:, None])

    def head(self, sums: FloatArray) -> FloatArray:
        """Log-odds per label from each line's scaled sums of bucket weights."""
        if self.hidden is None or self.hidden_bias is None or self.out is None:
            linear: FloatArray = (sums + self.biases).astype(np.float32)
            return linear
        units = np.maximum(_rows_times(sums, self.hidden) + self.hidden_bias, 0.0)
        scores: FloatArray = (_rows_times(units, self.out) + self.biases).astype(
            np.float32
        )
        return scores

    def labels(self, scores: FloatArray) -> list[int | None]:
        """The label shown for each row of ``scores``: the one furthest past
        its threshold, or None when none reaches it."""
        shown: list[int | None] = [None] * len(scores)
        for row, label in self._flagged(scores).items():
            shown[row] = label
        return shown

    def _flagged(self, scores: FloatArray) -> dict[int, int]:
        """{row: label} for the rows where some label reaches its threshold."""
        margins = scores - self.thresholds
        best = margins.argmax(axis=1)
        rows = np.flatnonzero(margins[np.arange(len(scores)), best] >= 0)
        return dict(zip(rows.tolist(), best[rows].tolist(), strict=True))

    def explain(self, text: str, label: int, top: int = 3) -> tuple[str, ...]:
        """The words (or word pairs) of ``text`` that raised this label most."""
        _, buckets = hashed([text], self.bits)
        # "hush," and "hush" are one word to a reader.
        totals = label_totals(text, self._moves(buckets, label), key=_word)
        if totals is None:
            return ()  # rare text the word labeller splits otherwise: no words
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        return tuple(word for word, weight in ranked[:top] if weight > 0)

    def _moves(self, buckets: IntArray, label: int) -> FloatArray:
        """How much each feature of one line moves ``label``'s log-odds. With
        a hidden layer, the units this line switches on fix a linear map from
        its sum to the label, so each feature's share is exact for this line."""
        if self.hidden is None or self.hidden_bias is None or self.out is None:
            column: FloatArray = self.weights[buckets, label]
            return column
        rows = self.weights[buckets]
        sums = rows.sum(axis=0) * _scale(np.array([len(buckets)]))[0]
        on = (sums @ self.hidden + self.hidden_bias) > 0
        direction = self.hidden[:, on] @ self.out[on, label]
        moves: FloatArray = (rows @ direction).astype(np.float32)
        return moves

    def findings(
        self, texts: Sequence[str], scores: FloatArray | None = None
    ) -> list[tuple[Finding, ...]]:
        """At most one model finding per text."""
        out: list[tuple[Finding, ...]] = [()] * len(texts)
        for row, finding in self.flagged(texts, scores).items():
            out[row] = (finding,)
        return out

    def flagged(
        self, texts: Sequence[str], scores: FloatArray | None = None
    ) -> dict[int, Finding]:
        """{index: finding} for the texts where the model names an indicator;
        most texts have none, so only those are looked at twice."""
        scores = self.scores(texts) if scores is None else scores
        return {
            row: self._finding(texts[row], scores[row], label)
            for row, label in self._flagged(scores).items()
        }

    def _finding(self, text: str, row: FloatArray, label: int) -> Finding:
        name = LABELS[label]
        indicator = get_indicator(INDICATOR_OF[name])
        sure = float(1.0 / (1.0 + np.exp(-np.clip(row[label], -30.0, 30.0))))
        words = self.explain(text, label)
        start, end = _span(text, words)
        moved = ", ".join(f"\u201c{w}\u201d" for w in words)
        because = f", mostly because of the words {moved}" if words else ""
        return Finding(
            indicator=indicator.id,
            severity=indicator.severity,
            start=start,
            end=end,
            evidence=text[start:end],
            explanation=(
                f"The learned model reads this line as {NAME_OF[name]} "
                f"({_how_sure(sure)}){because}. {indicator.explanation}"
            ),
            next_step=indicator.next_step,
            source=SOURCE,
            confidence=round(sure, 2),
            words=words,
            margin=round(float(row[label] - self.thresholds[label]), 3),
        )

    def to_bytes(self) -> bytes:
        """Bucket weights quantised to int8 with one scale per column,
        compressed; the small hidden layer as float32."""
        scales = np.abs(self.weights).max(axis=0) / 127
        scales[scales == 0] = 1.0
        quantised = np.round(self.weights / scales).astype(np.int8)
        layer: dict[str, Any] = {}
        if (
            self.hidden is not None
            and self.hidden_bias is not None
            and self.out is not None
        ):
            layer = {
                "hidden": self.hidden.astype(np.float32),
                "hidden_bias": self.hidden_bias.astype(np.float32),
                "out": self.out.astype(np.float32),
            }
        arrays: dict[str, Any] = {
            "format": np.array(FORMAT_HIDDEN if layer else FORMAT),
            "bits": np.array(self.bits),
            "biases": self.biases.astype(np.float64),
            "thresholds": self.thresholds.astype(np.float64),
            "scales": scales.astype(np.float64),
            "weights": quantised,
            **layer,
        }
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> LineModel:
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                kind = str(data["format"])
                if kind not in (FORMAT, FORMAT_HIDDEN):
                    raise ScreeningError("not a SafeContact line model file")
                bits = int(data["bits"])
                parts = [data[k] for k in ("biases", "thresholds")]
                scales = data["scales"]
                quantised = data["weights"]
                layer = (
                    [
                        data[k].astype(np.float32)
                        for k in ("hidden", "hidden_bias", "out")
                    ]
                    if kind == FORMAT_HIDDEN
                    else None
                )
        except (OSError, ValueError, KeyError, EOFError) as error:
            raise ScreeningError(f"cannot read line model: {error}") from error
        columns = len(LABELS) if layer is None else len(layer[0])
        shape = (1 << bits, columns)
        if quantised.shape != shape or quantised.dtype != np.int8:
            raise ScreeningError("bad line model weights")
        if any(p.shape != (len(LABELS),) for p in parts) or scales.shape != (columns,):
            raise ScreeningError("bad line model header")
        if layer is not None:
            hidden, hidden_bias, out = layer
            units = len(hidden_bias)
            if hidden.shape != (columns, units) or out.shape != (units, len(LABELS)):
                raise ScreeningError("bad line model layer")
        biases, thresholds = (p.astype(np.float32) for p in parts)
        weights = (quantised.astype(np.float32) * scales.astype(np.float32)).astype(
            np.float32
        )
        weights.setflags(write=False)
        if layer is None:
            return cls(bits, biases, thresholds, weights)
        return cls(bits, biases, thresholds, weights, *layer)

    @classmethod
    def load(cls, path: Path | str) -> LineModel:
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise ScreeningError(f"cannot read line model: {error}") from error
        return cls.from_bytes(raw)


def length_scale(index: npt.NDArray[np.int64], count: int) -> FloatArray:
    """1 / sqrt(features) per text: a long message is not more of anything
    for being long (forwarded notices would otherwise outscore any line)."""
    return _scale(np.bincount(index, minlength=count))


def _rows_times(rows: FloatArray, matrix: FloatArray) -> FloatArray:
    """``rows @ matrix`` summed in the same order for every row, so a line
    scores the same alone as in a batch (a matrix product's rounding
    depends on the batch's shape). The matrices are a few dozen wide."""
    out = np.zeros((len(rows), matrix.shape[1]), dtype=np.float32)
    for k in range(matrix.shape[0]):
        out += rows[:, k : k + 1] * matrix[k]
    return out


def _scale(features: IntArray) -> FloatArray:
    return (1.0 / np.sqrt(np.maximum(features, 1))).astype(np.float32)


def _word(piece: str) -> str:
    return piece.strip(_MARKS) or piece


def _how_sure(probability: float) -> str:
    if probability >= 0.9:
        return "very likely"
    if probability >= 0.6:
        return "likely"
    return "possible"


def _span(text: str, words: Sequence[str]) -> tuple[int, int]:
    """The stretch of ``text`` from the first to the last moving word found
    in it (case-insensitive), or its start when none is found as written."""
    starts, ends = [], []
    for word in words:
        pattern = r"\W+".join(re.escape(part) for part in word.split())
        # Whole words only: "u" is not the u in "Thursday".
        pattern = rf"(?<!\w){pattern}(?!\w)" if pattern else ""
        found = re.search(pattern, text, re.IGNORECASE) if pattern else None
        if found:
            starts.append(found.start())
            ends.append(found.end())
    if not starts:
        return 0, min(len(text), EVIDENCE_LIMIT)
    start = min(starts)
    return start, min(max(ends), start + EVIDENCE_LIMIT)


def score_batch(
    texts: Sequence[str], risk: RiskModel | None, lines: LineModel | None
) -> tuple[list[float | None], FloatArray | None]:
    """The risk model's log-odds and the line model's scores for a batch,
    hashing the batch once when both share a hash (the line model's buckets
    are the risk model's with the lowest bits dropped)."""
    if risk is None or lines is None or risk.bits < lines.bits:
        risk_scores = risk.scores(texts).tolist() if risk else [None] * len(texts)
        return risk_scores, lines.scores(texts) if lines else None
    sums, counts = _scorer(risk, lines).sums(list(texts))
    risk_scores = (sums[:, 0] + risk.bias).astype(np.float32).tolist()
    out = np.empty((len(texts), sums.shape[1] - 1), dtype=np.float32)
    out[:] = sums[:, 1:]  # as ``scores_hashed`` stores its float64 sums
    return risk_scores, lines.head(out * _scale(counts)[:, None])


@lru_cache(maxsize=4)
def _scorer(risk: RiskModel, lines: LineModel) -> Scorer:
    return Scorer(risk, lines.by_label, lines.bits)


def with_line_findings(
    texts: Sequence[str],
    found: Sequence[tuple[Finding, ...]],
    model: LineModel | None,
    scores: FloatArray | None = None,
) -> list[tuple[Finding, ...]]:
    """Word-list findings with the line model's added after them, for each
    text; a model finding that repeats a word-list indicator is left out."""
    out = list(found)
    if model is None:
        return out
    for row, finding in model.flagged(texts, scores).items():
        if all(f.indicator != finding.indicator for f in out[row]):
            out[row] = (*out[row], finding)
    return out


@cache
def default_line_model() -> LineModel:
    """The line model shipped with the package."""
    return LineModel.load(PARAMS)
