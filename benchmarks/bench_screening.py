"""Messages per second of the risk scanner on the real WhatsApp chats (counts only).

    python benchmarks/bench_screening.py [REAL_CHATS_JSONL_XZ] [--batch N]

Parses the chats first (not timed), then scans every message text with
``scan_many`` in batches, one process on one core, and reports messages/s for
the scanner alone and with the hashed-word model scored on every message.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import WHATSAPP, whatsapp_chats
from safeguarding.screening import scan_many
from safeguarding.screening.model import default_model


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("real_chats", nargs="?", default=WHATSAPP, type=Path)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    texts = [t for chat in whatsapp_chats(args.real_chats) for t in chat.texts]
    scan_many(texts[:1000])  # compile the rules outside the timing
    start = time.perf_counter()
    findings = 0
    for i in range(0, len(texts), args.batch):
        findings += sum(map(len, scan_many(texts[i : i + args.batch])))
    elapsed = time.perf_counter() - start
    print(f"scan_many: {len(texts)} messages in {elapsed:.2f} s", end="")
    print(f" = {len(texts) / elapsed:,.0f} messages/s ({findings} findings)")
    model = default_model()
    start = time.perf_counter()
    for text in texts:
        model.score(text)
    scored = time.perf_counter() - start
    rate = len(texts) / (elapsed + scored)
    print(f"scan_many + model: {rate:,.0f} messages/s")


if __name__ == "__main__":
    main()
