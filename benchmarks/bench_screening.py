"""Messages per second of the risk scanner on real chat lines (counts only).

    python benchmarks/bench_screening.py [REAL_CHATS_JSONL_XZ] [--nps NPS] [--batch N]

Parses the chats first (not timed), then reports messages/s on one core for
the scanner alone (``scan_many``) and for the whole pipeline (``assess``:
scanner, hashed-word model and conversation risk), on the real WhatsApp
lines and on the NPS chat lines.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import NPS, WHATSAPP, jsonl, whatsapp_chats
from safeguarding.screening import assess, scan_many


def _pipeline(messages: list[tuple[str, str]], batch: int) -> float:
    start = time.perf_counter()
    for _ in assess(messages, batch_size=batch):
        pass
    return len(messages) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("real_chats", nargs="?", default=WHATSAPP, type=Path)
    parser.add_argument("--nps", default=NPS, type=Path)
    parser.add_argument("--batch", type=int, default=4096)
    args = parser.parse_args()
    whatsapp = [
        m
        for c in whatsapp_chats(args.real_chats)
        for m in zip(c.senders, c.texts, strict=True)
    ]
    nps = [
        (p["user"], p["text"])
        for s in jsonl(args.nps)
        for p in s["posts"]
        if p["class"] != "System"
    ]
    texts = [t for _, t in whatsapp]
    scan_many(texts[:1000])  # compile the rules outside the timing
    start = time.perf_counter()
    for i in range(0, len(texts), args.batch):
        scan_many(texts[i : i + args.batch])
    scanner = len(texts) / (time.perf_counter() - start)
    print(f"scan_many, WhatsApp lines ({len(texts)}): {scanner:,.0f} messages/s")
    rate = _pipeline(whatsapp, args.batch)
    print(f"assess (scanner+model+risk), WhatsApp lines: {rate:,.0f} messages/s")
    rate = _pipeline(nps * 10, args.batch)
    print(f"assess (scanner+model+risk), NPS lines x10 ({len(nps) * 10}): ", end="")
    print(f"{rate:,.0f} messages/s")


if __name__ == "__main__":
    main()
