"""Fit the hashed-word risk model and write safeguarding/screening/model_params.json.

Positives: offenders' lines from the DEV grooming transcripts. Negatives: the
decoys' lines from the same transcripts (same chat-room style, so the model
must learn what offenders say rather than how old chat rooms read) and the
messages of the DEV real WhatsApp chats. Only the fit part of DEV is used
(see ``screening_data.fit_split``); the NPS corpus is never used. The output
holds hash buckets and weights only, no words.

    python benchmarks/fit_screening_model.py [--pj PATH] [--whatsapp PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import PJ, WHATSAPP, fit_split, jsonl, whatsapp_chats
from safeguarding.screening.model import FORMAT, PARAMS, bucket, features

BITS = 18
MIN_WEIGHT = 0.05


def _rows(texts: list[str]) -> csr_matrix:
    indptr, indices = [0], []
    for text in texts:
        indices.extend(sorted({bucket(f, BITS) for f in features(text)}))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((data, indices, indptr), shape=(len(texts), 1 << BITS))


def load(pj: Path, whatsapp: Path) -> tuple[list[str], list[int], list[float]]:
    texts: list[str] = []
    labels: list[int] = []
    for conv in jsonl(pj):
        if fit_split(conv["id"]):
            texts += conv["predator"] + conv["decoy"]
            labels += [1] * len(conv["predator"]) + [0] * len(conv["decoy"])
    decoy_end = len(texts)
    for chat in whatsapp_chats(whatsapp):
        if fit_split(chat.key):
            texts += list(chat.texts)
            labels += [0] * len(chat.texts)
    weights = [1.0] * decoy_end + [0.5] * (len(texts) - decoy_end)
    return texts, labels, weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    parser.add_argument("--out", type=Path, default=PARAMS)
    parser.add_argument("--c", type=float, default=0.5)
    args = parser.parse_args()
    texts, labels, weights = load(args.pj, args.whatsapp)
    print(f"messages: {len(texts)}, positive: {sum(labels)}")
    model = LogisticRegression(C=args.c, max_iter=200, solver="liblinear")
    model.fit(_rows(texts), np.array(labels), sample_weight=np.array(weights))
    coef = model.coef_[0]
    kept = {
        int(i): round(float(coef[i]), 3)
        for i in np.flatnonzero(abs(coef) >= MIN_WEIGHT)
    }
    params = {
        "format": FORMAT,
        "bits": BITS,
        "bias": round(float(model.intercept_[0]), 4),
        "weights": kept,
    }
    args.out.write_text(
        json.dumps(params, separators=(",", ":"), sort_keys=True) + "\n"
    )
    print(f"kept weights: {len(kept)}, written to the package")


if __name__ == "__main__":
    main()
