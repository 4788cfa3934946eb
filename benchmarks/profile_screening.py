"""Where ``assess`` spends its time, stage by stage, on the WhatsApp lines.

    python benchmarks/profile_screening.py [REAL_CHATS_JSONL_XZ] [--batch N]

Runs the stages of ``pipeline.assess`` one after another on every batch, as
``assess`` does, and prints the CPU seconds of each (``time.process_time``),
twice: first with the models' memo of pieces cold, then warm. Counts only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import WHATSAPP, whatsapp_chats
from safeguarding.screening import indicator_model, scanner
from safeguarding.screening.evasion import fold, fold_characters, read_plain_many
from safeguarding.screening.indicator_model import (
    default_line_model,
    score_batch,
    with_line_findings,
)
from safeguarding.screening.model import default_model
from safeguarding.screening.pipeline import Assessment, _batches
from safeguarding.screening.risk import ConversationRisk


def stages(messages: list[tuple[str, str]], batch: int) -> dict[str, float]:
    """CPU seconds per stage for one pass over ``messages``."""
    spent: dict[str, float] = defaultdict(float)
    risk, lines = default_model(), default_line_model()
    active = scanner.default_scanner()
    state = ConversationRisk()

    def timed(name: str, call, *args):  # type: ignore[no-untyped-def]
        start = time.process_time()
        out = call(*args)
        spent[name] += time.process_time() - start
        return out

    for senders, texts in _batches(iter(messages), batch):
        timed("read_plain", read_plain_many, texts)
        scores, line_scores = timed("score_batch", score_batch, texts, risk, lines)
        found = timed("scan_many", active.scan_many, texts)
        found = timed(
            "line findings", with_line_findings, texts, found, lines, line_scores
        )

        def walk(senders=senders, found=found, scores=scores):  # type: ignore[no-untyped-def]
            out = []
            for sender, findings, score in zip(senders, found, scores, strict=True):
                out.append(state.add(sender, findings, model_score=score))
            return out

        events = timed("risk", walk)

        def build(senders=senders, found=found, scores=scores, events=events):  # type: ignore[no-untyped-def]
            return [
                Assessment(i, s, f, m, e)
                for i, (s, f, m, e) in enumerate(
                    zip(senders, found, scores, events, strict=True)
                )
            ]

        timed("Assessment objects", build)
    return dict(spent)


def folding(messages: list[tuple[str, str]]) -> dict[str, float]:
    """CPU seconds of folding every message that is not plain ASCII."""
    texts = [t for _, t in messages if not t.isascii()]
    start = time.process_time()
    for text in texts:
        fold(text, characters=fold_characters(text))
    return {"fold (all steps, non-ASCII messages)": time.process_time() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("real_chats", nargs="?", default=WHATSAPP, type=Path)
    parser.add_argument("--batch", type=int, default=4096)
    args = parser.parse_args()
    messages = [
        m
        for c in whatsapp_chats(args.real_chats)
        for m in zip(c.senders, c.texts, strict=True)
    ]
    scanner.scan_many([t for _, t in messages[:1000]])  # compile outside timing
    indicator_model._scorer.cache_clear()
    print(f"{len(messages)} messages; load average {os.getloadavg()}")
    for name in ("cold memo", "warm memo"):
        spent = stages(messages, args.batch)
        total = sum(v for k, v in spent.items() if k != "read_plain")
        print(f"{name}: {total:.2f} CPU s in all ({len(messages) / total:,.0f}/s)")
        for stage, seconds in spent.items():
            print(f"  {stage:<22} {seconds:6.2f} s  {seconds / total:5.1%}")
    for stage, seconds in folding(messages).items():
        print(f"{stage}: {seconds:.2f} s")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
