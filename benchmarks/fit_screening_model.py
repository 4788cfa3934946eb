"""Fit the hashed-word risk model and write safeguarding/screening/model_params.npz.

Positives: offenders' lines from the DEV grooming transcripts. Negatives: the
decoys' lines from the same transcripts (same chat-room style, so the model
must learn what offenders say rather than how old chat rooms read) and the
messages of the DEV real WhatsApp chats (weighted by half: there are many,
and most are easy). The NPS corpus is never used. The output holds one int8
weight per hash bucket and a scale, no words.

The evaluation uses ``folds`` and ``fit`` from here to fit five models, each
without one fifth of the conversations, and reports figures on the fifth it
did not see.

    python benchmarks/fit_screening_model.py [--pj PATH] [--whatsapp PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.sparse import csr_matrix
from sklearn.linear_model import SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import PJ, WHATSAPP, jsonl, whatsapp_chats
from safeguarding.screening.model import PARAMS, RiskModel, hashed

BITS = 19
FOLDS = 5
ALPHA = 1e-5  # L2 strength and epochs chosen on out-of-fold figures
EPOCHS = 15
WHATSAPP_WEIGHT = 0.5
# int8 steps are set by the 99.99th percentile of the weights, not the
# largest: a handful of extreme weights would otherwise make the steps so
# coarse that most small weights round to nothing. Those few are clipped.
SCALE_QUANTILE = 0.9999
N_JOBS = 2  # the five fold models are fitted two at a time


def fold_of(key: str, folds: int = FOLDS) -> int:
    """A stable fold per conversation, so its messages never straddle folds."""
    return hashlib.sha256(("fold:" + key).encode("utf-8")).digest()[0] % folds


@dataclass(frozen=True, slots=True)
class Corpus:
    texts: list[str]
    labels: np.ndarray
    weights: np.ndarray
    folds: np.ndarray


def load(pj: Path, whatsapp: Path) -> Corpus:
    texts: list[str] = []
    labels: list[int] = []
    weights: list[float] = []
    folds: list[int] = []
    for conv in jsonl(pj):
        pred, decoy = conv["predator"], conv["decoy"]
        texts += pred + decoy
        labels += [1] * len(pred) + [0] * len(decoy)
        weights += [1.0] * (len(pred) + len(decoy))
        folds += [fold_of(conv["id"])] * (len(pred) + len(decoy))
    for chat in whatsapp_chats(whatsapp):
        texts += chat.texts
        labels += [0] * len(chat.texts)
        weights += [WHATSAPP_WEIGHT] * len(chat.texts)
        folds += [fold_of(chat.key)] * len(chat.texts)
    return Corpus(texts, np.array(labels), np.array(weights), np.array(folds))


def matrix(texts: Sequence[str], bits: int = BITS) -> csr_matrix:
    """Counts of each hash bucket per message, as the model scores them."""
    index, buckets = hashed(texts, bits)
    data = np.ones(len(buckets), dtype=np.float32)
    out = csr_matrix((data, (index, buckets)), shape=(len(texts), 1 << bits))
    out.sum_duplicates()
    return out


def fit(rows: csr_matrix, labels: np.ndarray, weights: np.ndarray) -> RiskModel:
    learner = SGDClassifier(
        loss="log_loss", alpha=ALPHA, max_iter=EPOCHS, tol=None, random_state=0
    )
    learner.fit(rows, labels, sample_weight=weights)
    model = RiskModel(
        BITS,
        float(learner.intercept_[0]),
        np.asarray(learner.coef_[0], dtype=np.float32),
    )
    return prune(model)


def prune(model: RiskModel) -> RiskModel:
    """The model as shipped: int8 weights on a scale set by the 99.99th
    percentile of the non-zero weights, the few larger ones clipped."""
    magnitudes = np.abs(model.weights[model.weights != 0])
    top = float(np.quantile(magnitudes, SCALE_QUANTILE)) if len(magnitudes) else 0.0
    scale = top / 127 or 1.0
    quantised = np.clip(np.round(model.weights / scale), -127, 127)
    return RiskModel(model.bits, model.bias, (quantised * scale).astype(np.float32))


def fold_models(
    corpus: Corpus, rows: csr_matrix, n_jobs: int = N_JOBS
) -> list[RiskModel]:
    """One model per fold, each fitted without that fold's conversations."""
    jobs = (
        delayed(fit)(rows[keep], corpus.labels[keep], corpus.weights[keep])
        for keep in (corpus.folds != fold for fold in range(FOLDS))
    )
    return list(Parallel(n_jobs=n_jobs)(jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    parser.add_argument("--out", type=Path, default=PARAMS)
    args = parser.parse_args()
    corpus = load(args.pj, args.whatsapp)
    print(f"messages: {len(corpus.texts)}, positive: {int(corpus.labels.sum())}")
    model = fit(matrix(corpus.texts), corpus.labels, corpus.weights)
    raw = model.to_bytes()
    args.out.write_bytes(raw)
    kept = int(np.count_nonzero(model.weights))
    print(f"non-zero weights: {kept} of {1 << BITS}; file: {len(raw) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
