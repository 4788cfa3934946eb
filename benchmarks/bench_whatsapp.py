"""Lines per second of the WhatsApp parser on the real chats (counts only).

    python benchmarks/bench_whatsapp.py [REAL_CHATS_JSONL_XZ] [--repeat N]

Parses every chat from memory (decompression is not timed), then writes the
same lines to a temporary file repeated to about a million lines and parses it
with parse_file, reporting lines/s and peak memory of that streaming pass.
"""

from __future__ import annotations

import argparse
import json
import lzma
import tempfile
import time
import tracemalloc
from collections import deque
from pathlib import Path

from safeguarding.chatlogs import parse_file, parse_text

REAL_CHATS = (
    Path(__file__).resolve().parents[2] / "shared/data/chats/whatsapp-real-dev.jsonl.xz"
)


def _bench_memory(texts: list[str], repeat: int) -> tuple[int, float]:
    lines = sum(text.count("\n") + 1 for text in texts) * repeat
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            deque(parse_text(text), maxlen=0)
    return lines, time.perf_counter() - start


def _bench_file(texts: list[str], target_lines: int) -> tuple[int, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chat.txt"
        written = 0
        with path.open("w", encoding="utf-8") as out:
            while written < target_lines:
                for text in texts:
                    body = text.rstrip("\n") + "\n"
                    out.write(body)
                    written += body.count("\n")
        start = time.perf_counter()
        deque(parse_file(path), maxlen=0)
        elapsed = time.perf_counter() - start
        tracemalloc.start()  # a second pass: tracing slows it several times
        deque(parse_file(path), maxlen=0)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return written, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("real_chats", nargs="?", default=REAL_CHATS, type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--file-lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with lzma.open(args.real_chats, "rt", encoding="utf-8") as stream:
        texts = [json.loads(line)["text"] for line in stream]
    lines, elapsed = _bench_memory(texts, args.repeat)
    rate = lines / elapsed
    print(f"parse_text: {lines} lines in {elapsed:.2f} s = {rate:,.0f} lines/s")
    lines, elapsed, peak = _bench_file(texts, args.file_lines)
    print(
        f"parse_file: {lines} lines in {elapsed:.2f} s = {lines / elapsed:,.0f} lines/s"
        f", peak {peak / 1024**2:.1f} MiB"
    )


if __name__ == "__main__":
    main()
