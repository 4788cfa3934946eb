"""Evaluate the line model on the hand-labelled DEV lines, out of fold.

Each labelled line (and each ordinary chat message) is scored by a model
fitted without its conversation's fold, at the shipped model's operating
point. Prints rates and counts only, never text or conversation ids.

    python benchmarks/eval_indicators.py [--pj P] [--whatsapp W]

``make eval`` runs it through ``eval_screening.py``, which records the
figures in benchmarks/results/screening.json under ``indicator_recall`` and
``indicator_neutral_rate``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.fit_indicator_model import (
    BITS,
    CHAT_LIMIT,
    NEUTRAL_LIMIT,
    Lines,
    choose_thresholds,
    figures,
    fold_models,
    load,
    matrix,
    out_of_fold_scores,
    predicted,
    read_labels,
)
from benchmarks.fit_screening_model import FOLDS
from benchmarks.screening_data import PJ, WHATSAPP
from safeguarding.screening.indicator_model import LineModel, default_line_model

RECALL_TARGET = 0.80


@dataclass(frozen=True, slots=True)
class Folded:
    """The labelled lines, their features and the five fold models."""

    lines: Lines
    rows: Any
    models: list[LineModel]


def fold_line_models(pj: Path, whatsapp: Path) -> Folded:
    lines = load(pj, whatsapp, read_labels())
    rows = matrix(lines.texts, BITS)
    return Folded(lines, rows, fold_models(lines, rows))


def indicator_results(folded: Folded) -> dict[str, Any]:
    scores = out_of_fold_scores(folded.lines, folded.rows, folded.models)
    out = figures(folded.lines, scores, default_line_model().thresholds)
    held = thresholds_out_of_fold(folded.lines, scores)
    strict = figures(folded.lines, scores, held)
    out["indicator_thresholds_out_of_fold"] = {
        "indicator_recall": strict["indicator_recall"],
        "indicator_neutral_rate": strict["indicator_neutral_rate"],
        "english_chat_by_fold": chat_rate_by_fold(folded.lines, scores, held),
    }
    return out


def chat_rate_by_fold(
    lines: Lines, scores: np.ndarray, thresholds: np.ndarray
) -> dict[str, Any]:
    """How the English chat messages flagged spread over folds and chats:
    each fold's rate, the most messages flagged in any one chat and that
    chat's size, and the rate over all folds without that chat. Counts
    only; the chat is never named."""
    assert lines.chat is not None
    chat = (lines.kind != "predator") & lines.english
    flagged = (predicted(scores, thresholds) >= 0) & chat
    per_chat = np.bincount(lines.chat[flagged], minlength=lines.chat.max() + 1)
    worst = int(per_chat.argmax())
    rest = chat & (lines.chat != worst)
    return {
        "rate": [
            round(float(flagged[chat & (lines.folds == f)].mean()), 5)
            for f in range(FOLDS)
        ],
        "largest_chat_flagged": int(per_chat[worst]),
        "largest_chat_messages": int((chat & (lines.chat == worst)).sum()),
        "rate_without_largest_chat": round(float(flagged[rest].mean()), 5),
    }


def thresholds_out_of_fold(lines: Lines, scores: np.ndarray) -> np.ndarray:
    """A threshold per row: each fold's lines judged at the thresholds
    chosen on the other four folds' scores. The shipped thresholds are
    chosen on all five, so the headline figures meet the limits by
    construction; these show how well the choice carries to unseen chats."""
    out = np.zeros_like(scores)
    for fold in range(FOLDS):
        keep = lines.folds != fold
        others = Lines(
            [],
            lines.classes[keep],
            lines.weights[keep],
            lines.folds[keep],
            lines.kind[keep],
            lines.english[keep],
        )
        out[lines.folds == fold] = choose_thresholds(others, scores[keep])
    return out


def print_indicators(results: dict[str, Any]) -> None:
    print(f"{'indicator (line model, out of fold)':36} {'recall':>7} {'precision':>9}")
    for label, recall in results["indicator_recall"].items():
        precision = results["indicator_precision"][label]
        print(f"  {label:34} {recall!s:>7} {precision!s:>9}  target >= {RECALL_TARGET}")
    rates = results["indicator_neutral_rate"]
    print(
        f"{'neutral predator lines flagged':36} {rates['predator_neutral_lines']!s:>7}"
        f"  target <= {NEUTRAL_LIMIT}"
    )
    print(
        f"{'English chat messages flagged':36} {rates['english_chat_messages']!s:>7}"
        f"  target <= {CHAT_LIMIT}"
    )
    print(f"{'labelled lines':36} {results['indicator_lines']}")
    strict = results["indicator_thresholds_out_of_fold"]
    print("thresholds chosen without the fold judged (recall; neutral, chat):")
    print(f"  {strict['indicator_recall']}")
    print(f"  {strict['indicator_neutral_rate']}")
    print(f"  English chat by fold: {strict['english_chat_by_fold']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    args = parser.parse_args()
    results = indicator_results(fold_line_models(args.pj, args.whatsapp))
    print_indicators(results)
    print(json.dumps(results["indicator_neutral_rate"]))


if __name__ == "__main__":
    main()
