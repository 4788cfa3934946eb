"""Levers tried on issue 13's conversation targets, each measured out of fold.

Every conversation is read once by the scanner and by a risk model and a line
model fitted without its fold (as ``eval_screening.py`` does); then a replay
of ``ConversationRisk``'s rule for high runs once per lever: other ways of
weighing a sender's lean, their word-list points and the line model's
findings. The shipped rule is the first row and must give the figures of
``eval_conversation.figures``. The last row judges each fold at the lever
that does best on the other four (a missed transcript costing three decoys,
any English chat alarm or a median first alert past 3 % ruling a lever out).

Prints counts only, never text, conversation ids or file names, and records
them in benchmarks/results/screening.json under
``conversation_levers_out_of_fold`` (every other figure there is kept).

    python benchmarks/conversation_levers.py [--pj P] [--whatsapp W] [--out O]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.eval_conversation import (
    FIRST_ALERT_LIMIT,
    MISS_COST,
    Conversation,
    figures,
    read_once,
)
from benchmarks.eval_indicators import fold_line_models
from benchmarks.fit_screening_model import FOLDS, fold_models, fold_of, load, matrix
from benchmarks.screening_data import PJ, WHATSAPP, jsonl, whatsapp_chats
from safeguarding.screening.indicator_model import default_line_model
from safeguarding.screening.model import tokens
from safeguarding.screening.risk import (
    HARM_STAGES,
    PII_POINTS,
    POINTS,
    REPEAT_CAP,
    Thresholds,
)

RESULTS = Path(__file__).resolve().parent / "results" / "screening.json"
WINDOW = 150
LEAN_DECAY = 0.998


@dataclass(slots=True)
class State:
    """One sender, as ``risk._Sender`` keeps it, plus what the levers read."""

    count: int = 0
    total: float = 0.0
    weight: float = 0.0
    # (sender's message number, indicator, points, from the line model, margin)
    recent: deque[tuple[int, str, float, bool, float]] = field(default_factory=deque)

    def points(self, sexual_cap: int = REPEAT_CAP) -> float:
        counts: dict[str, int] = {}
        total = 0.0
        for _, indicator, points, _, _ in self.recent:
            if not points:
                continue
            counts[indicator] = counts.get(indicator, 0) + 1
            cap = sexual_cap if indicator == "grooming.sexual" else REPEAT_CAP
            if counts[indicator] <= cap:
                total += points
        return total

    def evidence(self) -> list[tuple[int, str, float, bool, float]]:
        """Grooming findings as ``ConversationRisk`` counts them: the word
        lists', and the line model's a margin of 1 past its threshold."""
        return [
            r
            for r in self.recent
            if r[1].startswith("grooming.") and (not r[3] or r[4] >= 1.0)
        ]

    def stages(self) -> set[str]:
        return {r[1] for r in self.evidence()}

    def model_labels(self, margin: float) -> int:
        """Distinct indicators the line model named in the window."""
        return len({r[1] for r in self.recent if r[3] and r[4] >= margin})


Rule = Callable[[State, float], bool]  # (sender, lean) -> high


@dataclass(frozen=True, slots=True)
class Lever:
    name: str
    rule: Rule
    clip: tuple[float, float] = (-3.0, 3.0)
    # How much a message of n words weighs in the lean (1 for every message).
    words_weight: Callable[[int], float] | None = None


def first_high(
    conversation: Conversation, words: Sequence[int], lever: Lever
) -> int | None:
    senders: dict[str, State] = {}
    low, high = lever.clip
    for index, (sender, findings, score) in enumerate(conversation.messages):
        state = senders.setdefault(sender, State())
        state.count += 1
        weight = lever.words_weight(words[index]) if lever.words_weight else 1.0
        clipped = min(max(score or 0.0, low), high)
        state.total = state.total * LEAN_DECAY + weight * clipped
        state.weight = state.weight * LEAN_DECAY + weight
        seen: set[str] = set()
        for finding in findings:
            model = finding.source == "model"
            margin = finding.margin if finding.margin is not None else 0.0
            if finding.indicator in seen:
                continue
            seen.add(finding.indicator)
            points = 0.0 if model else POINTS.get(finding.indicator, PII_POINTS)
            state.recent.append((state.count, finding.indicator, points, model, margin))
        while state.recent and state.recent[0][0] <= state.count - WINDOW:
            state.recent.popleft()
        if state.count < 5:
            continue
        if not state.evidence():
            continue
        lean = (state.total - 2.0) / (state.weight + 2.0)
        if lever.rule(state, lean):
            return index
    return None


def shipped(weight: float = 50.0, needed: float = 6.0) -> Rule:
    return lambda s, lean: weight * lean + s.points() >= needed


def _levers() -> list[Lever]:
    base = shipped()
    return [
        Lever("shipped: 50 x lean + points >= 6", base),
        Lever("100 x lean + points >= 8", shipped(100, 8)),
        Lever(
            "+ 0.5 per indicator the line model named, >= 9",
            lambda s, lean: 50 * lean + s.points() + 0.5 * s.model_labels(0) >= 9,
        ),
        Lever(
            "+ 3 per indicator the line model named firmly, >= 9",
            lambda s, lean: 50 * lean + s.points() + 3 * s.model_labels(1) >= 9,
        ),
        Lever(
            "and two grooming stages or more",
            lambda s, lean: base(s, lean) and len(s.stages()) >= 2,
        ),
        Lever(
            "and a harm stage",
            lambda s, lean: base(s, lean) and bool(s.stages() & HARM_STAGES),
        ),
        Lever(
            "and both the word lists and the line model named one",
            lambda s, lean: base(s, lean) and len({r[3] for r in s.evidence()}) == 2,
        ),
        Lever(
            "and three stages, unless the lean is above 0.1",
            lambda s, lean: base(s, lean) and (len(s.stages()) >= 3 or lean > 0.1),
        ),
        Lever(
            "sexual talk counted once; 40 x lean + points >= 4",
            lambda s, lean: 40 * lean + s.points(sexual_cap=1) >= 4,
        ),
        Lever(
            "or four indicators named firmly by the line model, lean >= -0.3",
            lambda s, lean: base(s, lean) or (lean >= -0.3 and s.model_labels(1) >= 4),
        ),
        Lever(
            "lean weighs a message by min(1, words / 2); 75 x lean + points >= 8",
            shipped(75, 8),
            words_weight=lambda n: min(1.0, n / 2),
        ),
        Lever("log-odds clipped to +-2; 60 x lean + points >= 6", shipped(60), (-2, 2)),
    ]


@dataclass(slots=True)
class Count:
    missed: int = 0
    decoys: int = 0
    chats: int = 0
    fractions: list[float] = field(default_factory=list)

    def add(self, other: Count) -> None:
        self.missed += other.missed
        self.decoys += other.decoys
        self.chats += other.chats
        self.fractions += other.fractions

    def median(self) -> float:
        return statistics.median(self.fractions) if self.fractions else 1.0

    def figures(self) -> dict[str, Any]:
        return {
            "missed": self.missed,
            "decoys_high": self.decoys,
            "chat_alarms": self.chats,
            "pj_first_alert_fraction_median": round(self.median(), 4),
        }

    def cost(self) -> float:
        if self.chats or self.median() > FIRST_ALERT_LIMIT:
            return float("inf")
        return MISS_COST * self.missed + self.decoys


def by_fold(
    conversations: Sequence[Conversation], words: Sequence[Sequence[int]], lever: Lever
) -> list[Count]:
    out = [Count() for _ in range(FOLDS)]
    for conversation, counts in zip(conversations, words, strict=True):
        first = first_high(conversation, counts, lever)
        fold = out[conversation.fold]
        if conversation.kind == "offender":
            if first is None:
                fold.missed += 1
            else:
                fold.fractions.append(first / len(conversation.messages))
        elif first is not None:
            if conversation.kind == "decoy":
                fold.decoys += 1
            else:
                fold.chats += 1
    return out


def _row(name: str, count: Count, offenders: int, chats: int) -> str:
    return (
        f"{name:70} {count.missed:>3}/{offenders} {count.decoys:>3}/{offenders} "
        f"{count.chats:>2}/{chats} {count.median():.4f}"
    )


def _words(pj: Path, whatsapp: Path) -> list[list[int]]:
    """Words per message, in ``read_once``'s order of conversations."""
    out = []
    for conv in jsonl(pj):
        out += [[len(tokens(t)) for t in conv[side]] for side in ("predator", "decoy")]
    for chat in whatsapp_chats(whatsapp):
        if chat.english:
            out.append([len(tokens(t)) for t in chat.texts])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    corpus = load(args.pj, args.whatsapp)
    models = fold_models(corpus, matrix(corpus.texts))
    del corpus
    thresholds = default_line_model().thresholds
    lines = [
        replace(m, thresholds=thresholds)
        for m in fold_line_models(args.pj, args.whatsapp).models
    ]
    pj = [(c["id"], c["predator"], c["decoy"]) for c in jsonl(args.pj)]
    chats = list(whatsapp_chats(args.whatsapp))
    conversations = read_once(
        pj, chats, lambda key: (models[fold_of(key)], lines[fold_of(key)])
    )
    words = _words(args.pj, args.whatsapp)
    offenders = sum(c.kind == "offender" for c in conversations)
    n_chats = sum(c.kind == "chat" for c in conversations)
    levers = _levers()
    results = [by_fold(conversations, words, lever) for lever in levers]
    check = figures(conversations, Thresholds())
    first = Count()
    for part in results[0]:
        first.add(part)
    assert (first.missed, first.decoys, first.chats) == (
        check["missed"],
        check["decoys_high"],
        check["chat_alarms"],
    ), "the replay no longer matches ConversationRisk"
    print(f"{'lever (out of fold)':70} missed decoys chats first alert")
    recorded: dict[str, Any] = {"offenders": offenders, "chats_english": n_chats}
    for lever, parts in zip(levers, results, strict=True):
        total = Count()
        for part in parts:
            total.add(part)
        print(_row(lever.name, total, offenders, n_chats))
        recorded[lever.name] = total.figures()
    honest = Count()
    chosen: list[str] = []
    for fold in range(FOLDS):
        totals = []
        for parts in results:
            total = Count()
            for other in range(FOLDS):
                if other != fold:
                    total.add(parts[other])
            totals.append(total)
        best = min(range(len(levers)), key=lambda i: totals[i].cost())
        honest.add(results[best][fold])
        chosen.append(levers[best].name)
        print(f"fold {fold}: chosen on the other four: {levers[best].name}")
    name = "each fold at the lever chosen on the other four"
    print(_row(name, honest, offenders, n_chats))
    recorded[name] = {**honest.figures(), "chosen": chosen}
    stored = json.loads(args.out.read_text()) if args.out.exists() else {}
    stored["conversation_levers_out_of_fold"] = recorded
    args.out.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
