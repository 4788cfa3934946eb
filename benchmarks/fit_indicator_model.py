"""Fit the line model and write safeguarding/screening/indicator_params.npz.

The model (``indicator_model.LineModel``, file format 2): a vector per hash
bucket, summed over the line's features with the shipped 1/sqrt(n) scale,
one small ReLU layer and a softmax over neutral and the six labels, trained
by minibatch Adagrad in numpy (fastText-style; no PyTorch here). Each label's
score is its log-odds against neutral.

Positives and neutral lines: the hand-labelled DEV lines in
``benchmarks/labels/indicators.csv`` (``docs/annotation.md``). More neutral
lines: a stable share of the messages of the DEV WhatsApp chats, so the
model learns what ordinary chat reads like. The output holds int8 vectors
per hash bucket and the small layer's weights, never words.

Thresholds are chosen out of fold: the conversations (and chats) are split
into five folds, five models are fitted each without one fold, and each
label's threshold flags the same share of ordinary English chat messages,
as large as keeps no more than ``CHAT_LIMIT`` of them and ``NEUTRAL_LIMIT``
of the neutral predator lines flagged in all. The figures printed are counts and rates only.

    python benchmarks/fit_indicator_model.py [--pj PATH] [--whatsapp PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.fit_screening_model import FOLDS, fold_of
from benchmarks.fit_screening_model import matrix as counts
from benchmarks.screening_data import PJ, WHATSAPP, jsonl, whatsapp_chats
from safeguarding.screening.indicator_model import (
    LABELS,
    PARAMS,
    LineModel,
    length_scale,
)
from safeguarding.screening.model import hashed

LABEL_FILE = Path(__file__).resolve().parent / "labels" / "indicators.csv"
BITS = 18
ALPHA = 3e-6  # L2 of the linear model, chosen on out-of-fold figures
LINEAR_EPOCHS = 20
# The hidden-layer model (``--hidden``, file format 2; measured, not shipped:
# docs/screening.md, "Fifth session").
DIMS = 16  # numbers per hash bucket
UNITS = 16  # hidden units
EPOCHS = 5
RATE = 0.05  # Adagrad step
BATCH = 256
SEED = 0
CHAT_SHARE = 0.3  # share of WhatsApp messages used as extra neutral lines
CHAT_WEIGHT = 0.5
CHAT_LIMIT = 0.005  # at most this share of English chat messages flagged
NEUTRAL_LIMIT = 0.10  # at most this share of neutral predator lines flagged
CLASSES = ("neutral", *LABELS)
# Indicator lines are few against many ordinary messages: each counts more.
CLASS_WEIGHT = {0: 1.0, **dict.fromkeys(range(1, len(CLASSES)), 10.0)}
N_JOBS = 2


def matrix(texts: list[str], bits: int = BITS):  # type: ignore[no-untyped-def]
    """Feature counts per line, scaled as ``LineModel.scores`` scales them."""
    index, _ = hashed(texts, bits)
    scale = length_scale(index, len(texts))
    return diags(scale) @ counts(texts, bits)


def short_hash(key: str) -> str:
    """The conversation key as stored in the labels file (data README rule 8)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Lines:
    texts: list[str]
    classes: np.ndarray  # index into CLASSES; -1 for unlabelled chat lines
    weights: np.ndarray
    folds: np.ndarray
    kind: np.ndarray  # "predator", "chat" (labelled) or "extra" (unlabelled)
    english: np.ndarray  # the line is from a mostly-English chat
    # Which chat each chat line is from (its order in the file), -1 for
    # transcript lines: to see how many chats a false-alarm rate rests on.
    chat: np.ndarray | None = None


def read_labels(path: Path = LABEL_FILE) -> dict[tuple[str, str, int], str]:
    with path.open(newline="", encoding="utf-8") as stream:
        return {
            (row["hash"], row["side"], int(row["index"])): row["label"]
            for row in csv.DictReader(stream)
        }


def _in_share(key: str, index: int) -> bool:
    digest = hashlib.sha256(f"extra:{key}:{index}".encode()).digest()
    return digest[0] < CHAT_SHARE * 256


def load(pj: Path, whatsapp: Path, labels: dict[tuple[str, str, int], str]) -> Lines:
    rows: list[tuple[str, int, float, int, str, bool, int]] = []
    for conv in jsonl(pj):
        # The fold is the risk model's (by the raw id), so a conversation
        # scored out of fold is unseen by both models.
        key, fold = short_hash(conv["id"]), fold_of(conv["id"])
        for i, text in enumerate(conv["predator"]):
            label = labels.get((key, "predator", i))
            if label is not None:
                row = (text, CLASSES.index(label), 1.0, fold, "predator", False, -1)
                rows.append(row)
    for number, chat in enumerate(whatsapp_chats(whatsapp)):
        key, fold = short_hash(chat.key), fold_of(chat.key)
        english = chat.english
        for i, text in enumerate(chat.texts):
            label = labels.get((key, "chat", i))
            if label is not None:
                label_index = CLASSES.index(label)
                rows.append((text, label_index, 1.0, fold, "chat", english, number))
            elif english or _in_share(key, i):
                train = _in_share(key, i)
                rows.append(
                    (
                        text,
                        0 if train else -1,
                        CHAT_WEIGHT,
                        fold,
                        "extra",
                        english,
                        number,
                    )
                )
    texts, classes, weights, folds, kind, english_, chats = zip(*rows, strict=True)
    return Lines(
        list(texts),
        np.array(classes),
        np.array(weights),
        np.array(folds),
        np.array(kind),
        np.array(english_),
        np.array(chats),
    )


def fit(rows, classes: np.ndarray, weights: np.ndarray) -> LineModel:  # type: ignore[no-untyped-def]
    """The shipped linear model: one-against-the-rest logistic regression."""
    learner = SGDClassifier(
        loss="log_loss",
        alpha=ALPHA,
        max_iter=LINEAR_EPOCHS,
        tol=None,
        random_state=0,
        class_weight=CLASS_WEIGHT,
    )
    learner.fit(rows, classes, sample_weight=weights)
    order = [list(learner.classes_).index(CLASSES.index(label)) for label in LABELS]
    coef = np.asarray(learner.coef_[order], dtype=np.float32).T.copy()
    biases = np.asarray(learner.intercept_[order], dtype=np.float32)
    raw = LineModel(BITS, biases, np.zeros(len(LABELS), np.float32), coef)
    # What ships is int8: fit thresholds on the weights as they will be read.
    return LineModel.from_bytes(raw.to_bytes())


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_hidden(rows: csr_matrix, classes: np.ndarray, weights: np.ndarray) -> LineModel:
    """Minibatch Adagrad on the weighted softmax loss; a bucket's vector is
    updated only where a line of the batch has that feature."""
    rng = np.random.default_rng(SEED)
    rows = rows.astype(np.float32).tocsr()
    buckets, k = rows.shape[1], len(CLASSES)
    vectors = (rng.standard_normal((buckets, DIMS)) * 0.05).astype(np.float32)
    hidden = (rng.standard_normal((DIMS, UNITS)) * np.sqrt(2 / DIMS)).astype(np.float32)
    hidden_bias = np.zeros(UNITS, np.float32)
    out = (rng.standard_normal((UNITS, k)) * np.sqrt(1 / UNITS)).astype(np.float32)
    out_bias = np.zeros(k, np.float32)
    dense = (hidden, hidden_bias, out, out_bias)
    squares = [np.full_like(p, 1e-6) for p in dense]
    vector_squares = np.full(buckets, 1e-6, np.float32)
    class_weight = np.array([CLASS_WEIGHT[c] for c in range(k)], np.float32)
    line_weight = (weights * class_weight[classes]).astype(np.float32)
    line_weight /= line_weight.mean()
    for _ in range(EPOCHS):
        order = rng.permutation(rows.shape[0])
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            x = rows[batch]
            sums = (x @ vectors).astype(np.float32)
            before = sums @ hidden + hidden_bias
            units = np.maximum(before, 0)
            grad = _softmax(units @ out + out_bias)
            grad[np.arange(len(batch)), classes[batch]] -= 1
            grad *= line_weight[batch][:, None] / len(batch)
            back = grad @ out.T
            back[before <= 0] = 0
            to_sums = back @ hidden.T  # before the layer moves
            grads = (sums.T @ back, back.sum(0), units.T @ grad, grad.sum(0))
            for param, square, g in zip(dense, squares, grads, strict=True):
                square += g * g
                param -= RATE * g / np.sqrt(square)
            coo = x.tocoo()
            per_feature = coo.data[:, None] * to_sums[coo.row]
            seen, where = np.unique(coo.col, return_inverse=True)
            step = np.zeros((len(seen), DIMS), np.float32)
            np.add.at(step, where, per_feature)
            vector_squares[seen] += (step * step).mean(axis=1)
            vectors[seen] -= RATE * step / np.sqrt(vector_squares[seen])[:, None]
    # Buckets no training line has keep only their random start: zero them,
    # so an unseen feature moves nothing and the file compresses.
    vectors[np.diff(rows.tocsc().indptr) == 0] = 0.0
    raw = LineModel(
        BITS,
        out_bias[1:] - out_bias[0],  # each label's log-odds against neutral
        np.zeros(len(LABELS), np.float32),
        vectors,
        hidden,
        hidden_bias,
        out[:, 1:] - out[:, :1],
    )
    # What ships is int8: fit thresholds on the weights as they will be read.
    return LineModel.from_bytes(raw.to_bytes())


def fold_models(lines: Lines, rows, fitter=fit) -> list[LineModel]:  # type: ignore[no-untyped-def]
    train = lines.classes >= 0
    jobs = (
        delayed(fitter)(rows[keep], lines.classes[keep], lines.weights[keep])
        for keep in (train & (lines.folds != fold) for fold in range(FOLDS))
    )
    return list(Parallel(n_jobs=N_JOBS)(jobs))


def out_of_fold_scores(lines: Lines, rows, models: list[LineModel]) -> np.ndarray:  # type: ignore[no-untyped-def]
    scores = np.zeros((len(lines.texts), len(LABELS)), dtype=np.float32)
    for fold, model in enumerate(models):
        where = np.flatnonzero(lines.folds == fold)
        scores[where] = model.head(np.asarray(rows[where] @ model.weights))
    return scores


def predicted(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Label index per row (-1 for none), as ``LineModel.labels``."""
    margins = scores - thresholds
    best = margins.argmax(axis=1)
    hit = margins[np.arange(len(scores)), best] >= 0
    return np.where(hit, best, -1)


def figures(lines: Lines, scores: np.ndarray, thresholds: np.ndarray) -> dict:  # type: ignore[type-arg]
    pred = predicted(scores, thresholds)
    gold = lines.classes - 1  # -1 neutral, -2 unlabelled
    predator = lines.kind == "predator"
    chat = (lines.kind != "predator") & lines.english
    recall = {
        label: round(float((pred[predator & (gold == j)] == j).mean()), 4)
        for j, label in enumerate(LABELS)
    }
    neutral = predator & (gold == -1)
    return {
        "indicator_recall": recall,
        "indicator_precision": {
            label: round(float((gold[predator & (pred == j)] == j).mean()), 4)
            if (predator & (pred == j)).any()
            else None
            for j, label in enumerate(LABELS)
        },
        "indicator_neutral_rate": {
            "predator_neutral_lines": round(float((pred[neutral] >= 0).mean()), 4),
            "english_chat_messages": round(float((pred[chat] >= 0).mean()), 5),
        },
        "indicator_lines": {
            "predator": int(predator.sum()),
            "predator_neutral": int(neutral.sum()),
            "english_chat_messages": int(chat.sum()),
            **{
                label: int((predator & (gold == j)).sum())
                for j, label in enumerate(LABELS)
            },
        },
    }


def choose_thresholds(lines: Lines, scores: np.ndarray) -> np.ndarray:
    """Per-label thresholds that each flag the same share of ordinary English
    chat messages, that share as large as both limits allow (the labels'
    flags overlap, so their sum is found by bisection, not assumed)."""
    chat = (lines.kind != "predator") & lines.english
    neutral = (lines.kind == "predator") & (lines.classes == 0)
    chat_scores, neutral_scores = scores[chat], scores[neutral]

    def at(share: float) -> np.ndarray:
        return np.quantile(chat_scores, 1 - share, axis=0).astype(np.float32)

    def ok(t: np.ndarray) -> bool:
        return bool(
            (predicted(chat_scores, t) >= 0).mean() <= CHAT_LIMIT
            and (predicted(neutral_scores, t) >= 0).mean() <= NEUTRAL_LIMIT
        )

    low, high = 0.0, CHAT_LIMIT
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if ok(at(middle)) else (low, middle)
    return at(low)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    parser.add_argument("--out", type=Path, default=PARAMS)
    parser.add_argument(
        "--hidden", action="store_true", help="the hidden-layer model (format 2)"
    )
    args = parser.parse_args()
    fitter = fit_hidden if args.hidden else fit
    lines = load(args.pj, args.whatsapp, read_labels())
    rows = matrix(lines.texts, BITS)
    scores = out_of_fold_scores(lines, rows, fold_models(lines, rows, fitter))
    thresholds = choose_thresholds(lines, scores)
    for key, value in figures(lines, scores, thresholds).items():
        print(f"{key}: {value}")
    train = lines.classes >= 0
    model = fitter(rows[train], lines.classes[train], lines.weights[train])
    shipped = replace(model, thresholds=thresholds)
    raw = shipped.to_bytes()
    args.out.write_bytes(raw)
    print(f"file: {len(raw) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
