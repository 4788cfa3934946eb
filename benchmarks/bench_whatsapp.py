"""Lines per second of the WhatsApp parser on the real chats (counts only),
and proof that it runs in linear time.

    python benchmarks/bench_whatsapp.py [REAL_CHATS_JSONL_XZ] [--repeat N]

Parses every chat from memory (decompression is not timed), then writes the
same lines to a temporary file repeated to about a million lines and parses it
with parse_file, reporting lines/s and peak memory of that streaming pass.

Linear time: the worst shapes at two sizes ten times apart, with the ratio of
their times (about 10 is linear, about 100 would be quadratic): one message
followed by 100,000 and by 1,000,000 continuation lines, and one header line
of 3 MB and of 30 MB. Figures go to benchmarks/results/bench_whatsapp.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import WHATSAPP, jsonl
from safeguarding.chatlogs import parse_file, parse_text

RESULTS = Path(__file__).resolve().parent / "results" / "bench_whatsapp.json"
HEADER = "31/12/2020, 21:05 - Ada: "  # our own synthetic line


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


def _two_sizes(
    folder: Path, write: Callable[[Path, int], None], small: int
) -> dict[str, Any]:
    times = []
    for size in (small, small * 10):
        path = folder / f"shape-{size}.txt"
        write(path, size)
        start = time.perf_counter()
        deque(parse_file(path), maxlen=0)
        times.append(time.perf_counter() - start)
        path.unlink()
    return {
        "sizes": [small, small * 10],
        "seconds": [round(t, 3) for t in times],
        "ratio": round(times[1] / times[0], 2),
    }


def _continuations(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "the start of a long message\n")
        out.writelines("and one more line of it\n" for _ in range(lines))


def _huge_line(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "x y " * (size // 4) + "\n")


def linear_time() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        return {
            "continuation_lines": _two_sizes(folder, _continuations, 100_000),
            "huge_single_line": _two_sizes(folder, _huge_line, 3_000_000),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("real_chats", nargs="?", default=WHATSAPP, type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--file-lines", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    texts = [record["text"] for record in jsonl(args.real_chats)]
    lines, elapsed = _bench_memory(texts, args.repeat)
    rate = lines / elapsed
    print(f"parse_text: {lines} lines in {elapsed:.2f} s = {rate:,.0f} lines/s")
    file_lines, file_elapsed, peak = _bench_file(texts, args.file_lines)
    print(
        f"parse_file: {file_lines} lines in {file_elapsed:.2f} s = "
        f"{file_lines / file_elapsed:,.0f} lines/s, peak {peak / 1024**2:.1f} MiB"
    )
    linear = linear_time()
    for name, figures in linear.items():
        print(
            f"{name}: sizes {figures['sizes']}, {figures['seconds']} s, "
            f"ratio {figures['ratio']} (10 is linear)"
        )
    results = {
        "parse_text_lines_per_s": round(rate),
        "parse_file_lines_per_s": round(file_lines / file_elapsed),
        "parse_file_peak_mib": round(peak / 1024**2, 1),
        "linear_time": linear,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
