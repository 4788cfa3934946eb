"""Conversation figures with the risk constants chosen without the fold judged.

The constants of ``Thresholds`` (how much the lean weighs, what high needs)
were chosen by looking at out-of-fold scores of every fold at once, so the
headline figures use them on the very conversations they were chosen on.
Here each fold is judged at the constants that do best on the other four
folds, from a small grid: an honest figure for how the choice carries to
conversations it never saw. Counts and rates only are returned.

The scanner and the models read each conversation once; only
``ConversationRisk`` runs again for each point of the grid.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from benchmarks.fit_screening_model import FOLDS, fold_of
from safeguarding.screening.findings import Finding
from safeguarding.screening.pipeline import assess
from safeguarding.screening.risk import ConversationRisk, Thresholds

# (lean_weight, assisted_high): the two constants the grid moves.
GRID = tuple(itertools.product((30.0, 50.0, 75.0, 100.0), (4.0, 6.0, 8.0, 10.0)))
# A missed transcript costs three decoys: issue 13 allows 1% of misses and
# 3% of decoys. Any English chat alarm, or a median first alert past 3%, rules
# a point out.
MISS_COST = 3
FIRST_ALERT_LIMIT = 0.03

Read = list[tuple[str, tuple[Finding, ...], float | None]]


@dataclass(frozen=True, slots=True)
class Conversation:
    fold: int
    kind: str  # "offender", "decoy" or "chat" (mostly English WhatsApp)
    messages: Read


def read_once(
    pj: Sequence[tuple[str, list[str], list[str]]],
    chats: Sequence[Any],
    models_for: Callable[[str], tuple[Any, Any]],
) -> list[Conversation]:
    """Every conversation's findings and model scores, read once."""
    out = []
    for key, pred, decoy in pj:
        for kind, lines in (("offender", pred), ("decoy", decoy)):
            read = _read([kind] * len(lines), lines, models_for(key))
            out.append(Conversation(fold_of(key), kind, read))
    for chat in chats:
        if chat.english:
            read = _read(chat.senders, chat.texts, models_for(chat.key))
            out.append(Conversation(fold_of(chat.key), "chat", read))
    return out


def _read(
    senders: Sequence[str], texts: Sequence[str], models: tuple[Any, Any]
) -> Read:
    model, lines = models
    return [
        (a.sender, a.findings, a.model_score)
        for a in assess(zip(senders, texts, strict=True), model=model, lines=lines)
    ]


def first_high(messages: Read, thresholds: Thresholds) -> int | None:
    risk = ConversationRisk(thresholds)
    for index, (sender, findings, score) in enumerate(messages):
        event = risk.add(sender, findings, model_score=score)
        if event is not None and event.early_warning:
            return index
    return None


def figures(
    conversations: Sequence[Conversation], thresholds: Thresholds
) -> dict[str, Any]:
    offenders = [c for c in conversations if c.kind == "offender"]
    firsts = [first_high(c.messages, thresholds) for c in offenders]
    fractions = [
        f / len(c.messages)
        for f, c in zip(firsts, offenders, strict=True)
        if f is not None
    ]
    decoys = [c for c in conversations if c.kind == "decoy"]
    chats = [c for c in conversations if c.kind == "chat"]
    return {
        "offenders": len(offenders),
        "missed": sum(f is None for f in firsts),
        "decoys_high": sum(
            first_high(c.messages, thresholds) is not None for c in decoys
        ),
        "chats_english": len(chats),
        "chat_alarms": sum(
            first_high(c.messages, thresholds) is not None for c in chats
        ),
        "fractions": fractions,
    }


def _cost(found: dict[str, Any]) -> float:
    fractions = found["fractions"]
    late = bool(fractions) and statistics.median(fractions) > FIRST_ALERT_LIMIT
    if found["chat_alarms"] or late:
        return float("inf")
    return MISS_COST * found["missed"] + found["decoys_high"]


def chosen_without_fold(
    conversations: Sequence[Conversation], base: Thresholds | None = None
) -> dict[str, Any]:
    """Each fold judged at the grid point that does best on the other four."""
    base = base or Thresholds()
    points = [replace(base, lean_weight=w, assisted_high=h) for w, h in GRID]
    by_fold = [[c for c in conversations if c.fold == f] for f in range(FOLDS)]
    found = [[figures(fold, t) for t in points] for fold in by_fold]
    totals = {"offenders": 0, "missed": 0, "decoys_high": 0, "chat_alarms": 0}
    fractions: list[float] = []
    chosen = []
    for fold in range(FOLDS):
        others = [f for f in range(FOLDS) if f != fold]
        best = min(
            range(len(points)),
            key=lambda i: _cost(_sum(found[f][i] for f in others)),
        )
        chosen.append(list(GRID[best]))
        judged = found[fold][best]
        for key in totals:
            totals[key] += judged[key]
        fractions += judged["fractions"]
    return {
        "pj_detection_rate": round(1 - totals["missed"] / totals["offenders"], 4),
        "pj_first_alert_fraction_median": round(statistics.median(fractions), 4),
        "pj_decoy_high_rate": round(totals["decoys_high"] / totals["offenders"], 4),
        "whatsapp_false_alarm_rate_english": round(
            totals["chat_alarms"]
            / max(1, len([c for c in conversations if c.kind == "chat"])),
            4,
        ),
        "chosen_lean_weight_assisted_high": chosen,
    }


def _sum(parts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"missed": 0, "decoys_high": 0, "chat_alarms": 0}
    out["fractions"] = []
    for part in parts:
        for key in ("missed", "decoys_high", "chat_alarms"):
            out[key] += part[key]
        out["fractions"] += part["fractions"]
    return out
