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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.fit_indicator_model import (
    BITS,
    CHAT_LIMIT,
    NEUTRAL_LIMIT,
    figures,
    fold_models,
    load,
    matrix,
    out_of_fold_scores,
    read_labels,
)
from benchmarks.screening_data import PJ, WHATSAPP
from safeguarding.screening.indicator_model import default_line_model

RECALL_TARGET = 0.80


def indicator_results(pj: Path, whatsapp: Path) -> dict[str, Any]:
    lines = load(pj, whatsapp, read_labels())
    rows = matrix(lines.texts, BITS)
    scores = out_of_fold_scores(lines, rows, fold_models(lines, rows))
    return figures(lines, scores, default_line_model().thresholds)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    args = parser.parse_args()
    results = indicator_results(args.pj, args.whatsapp)
    print_indicators(results)
    print(json.dumps(results["indicator_neutral_rate"]))


if __name__ == "__main__":
    main()
