"""Messages per second of the risk scanner on real chat lines (counts only),
next to Presidio's pattern recognisers, and proof that it runs in linear time.

    python benchmarks/bench_screening.py [REAL_CHATS_JSONL_XZ] [--nps NPS]
        [--batch N] [--small-mb 3]

Parses the chats first (not timed), then reports messages/s on one core for
the scanner alone (``scan_many``), for the whole pipeline (``assess``:
scanner, hashed-word model and conversation risk) on the real WhatsApp lines
and on the NPS chat lines, and for presidio-analyzer's pattern recognisers on
the same WhatsApp lines in the same run, twice: its phone and email
recognisers, and every pattern recogniser it has for a personal-detail type
we find (phone, email, card, IBAN, UK postcode, URL; the 30 x target is
judged against this one, the same kinds of work). Each rate is also
given per CPU second of this process, which moves less than wall time when
other processes share the cores, and the WhatsApp pipeline is run twice (the
second time as a long-running process would, with its caches warm); the pipeline is also run on our own
synthetic corpus of disguised messages (``safeguarding/tests/synthetic_corpus.py``),
the slow end of what it reads.

Linear time: the worst shapes for the scanner, each at two sizes ten times
apart, with the ratio of their times (about 10 is linear, about 100 would be
quadratic): one huge single line (3 MB and 30 MB) and one WhatsApp message
followed by 100,000 and by 1,000,000 continuation lines, both through
``manage.py scan``'s reader (``audits.services.scan_path``: parser, scanner,
both models and risk), and one message full of findings and disguises
through the scanner. The load average is recorded with the figures: on a
shared machine they are not the machine's best. Figures go to
benchmarks/results/bench_screening.json, or to ``--out`` / ``BENCH_RESULTS``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.eval_screening import PRESIDIO_MATCHED
from benchmarks.screening_data import NPS, WHATSAPP, jsonl, whatsapp_chats
from safeguarding.screening import assess, scan, scan_many
from safeguarding.tests.synthetic_corpus import messages as corpus_messages

# BENCH_RESULTS writes a check run elsewhere (the figures of record come from
# a quiet machine).
RESULTS = Path(
    os.environ.get("BENCH_RESULTS")
    or Path(__file__).resolve().parent / "results" / "bench_screening.json"
)
# Our own synthetic text: ordinary words, personal details and disguises.
FINDINGS = (
    "see you at 10:30 call 07700 900123 or O77OO 9OO 123, s3nd m3 a p1c, "
    "d0nt t3ll ur mum, add me on s n a p, se\u200bcret, mail jo@example.org "
)
ORDINARY = "see you at youth club on thursday, bring a coat and 2 pounds "
HEADER = "12/03/2024, 18:02 - Sam: "


def _pipeline(messages: list[tuple[str, str]], batch: int) -> tuple[float, float]:
    """Messages per second of wall time and of this process's CPU time (the
    second moves less when other processes share the cores)."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in assess(messages, batch_size=batch):
        pass
    return _rates(len(messages), start, cpu)


def _rates(count: int, start: float, cpu: float) -> tuple[float, float]:
    wall = time.perf_counter() - start
    return count / wall, count / (time.process_time() - cpu)


def _presidio_rate(texts: list[str], matched: bool) -> tuple[float, float]:
    """Presidio's phone and email recognisers, or (``matched``) its pattern
    recognisers for every personal-detail type we find that it has one for
    (``eval_screening.PRESIDIO_MATCHED``)."""
    from benchmarks.eval_screening import _presidio, presidio_matched, presidio_spans

    recognizers = presidio_matched() if matched else _presidio()
    presidio_spans(recognizers, texts[0])  # load what loads on first use
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        presidio_spans(recognizers, text)
    return _rates(len(texts), start, cpu)


def _two_sizes(
    make: Callable[[int], Any], run: Callable[[Any], object], small: int
) -> dict[str, Any]:
    times, cpu = [], []
    for size in (small, small * 10):
        data = make(size)
        start, cpu_start = time.perf_counter(), time.process_time()
        run(data)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        del data
    return {
        "sizes": [small, small * 10],
        "seconds": [round(t, 3) for t in times],
        "ratio": round(times[1] / times[0], 2),
        "cpu_seconds": [round(t, 3) for t in cpu],
        "cpu_ratio": round(cpu[1] / cpu[0], 2),
    }


def _huge_line_file(folder: Path) -> Callable[[int], Path]:
    def make(size: int) -> Path:
        path = folder / f"line-{size}.txt"
        line = (FINDINGS + ORDINARY * 3) * (size // (len(FINDINGS) + 3 * len(ORDINARY)))
        path.write_text(line + "\n", encoding="utf-8")
        return path

    return make


def _continuation_file(folder: Path) -> Callable[[int], Path]:
    def make(lines: int) -> Path:
        path = folder / f"continued-{lines}.txt"
        with path.open("w", encoding="utf-8") as out:
            out.write(HEADER + "the start of a long message\n")
            out.writelines(ORDINARY + "\n" for _ in range(lines))
        return path

    return make


def _scan_path() -> Callable[[Path], Any]:
    """``manage.py scan``'s reader; it lives in a Django app."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
    import django

    django.setup()
    from safecontact.audits.services import scan_path

    return scan_path


def _scan_file(path: Path) -> int:
    results, summary = _scan_path()(path)
    deque(results, maxlen=0)
    return summary.messages


def linear_time(small_mb: float) -> dict[str, Any]:
    small = int(small_mb * 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        _scan_file(_huge_line_file(Path(tmp))(1000))  # load the model, compile
        huge_line = _two_sizes(_huge_line_file(Path(tmp)), _scan_file, small)
        continued = _two_sizes(_continuation_file(Path(tmp)), _scan_file, 100_000)
    full = _two_sizes(
        lambda size: FINDINGS * (size // len(FINDINGS)),
        scan,
        small // 10,
    )
    return {
        "huge_single_line_scan_path": huge_line,
        "continuation_lines_scan_path": continued,
        "message_full_of_findings": full,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("real_chats", nargs="?", default=WHATSAPP, type=Path)
    parser.add_argument("--nps", default=NPS, type=Path)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--small-mb", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_at_start = os.getloadavg()
    print(f"load average at start (1, 5, 15 min): {load_at_start}")
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
    pipeline, pipeline_cpu = _pipeline(whatsapp, args.batch)
    print(
        f"assess (scanner+model+risk), WhatsApp lines: {pipeline:,.0f} messages/s "
        f"({pipeline_cpu:,.0f} per CPU second)"
    )
    # A long-running process (the gateway) has seen the numbers before: the
    # phone-number cache and the tables of characters are warm.
    warm, warm_cpu = _pipeline(whatsapp, args.batch)
    print(
        f"assess again, WhatsApp lines (caches warm): {warm:,.0f} messages/s "
        f"({warm_cpu:,.0f} per CPU second)"
    )
    nps_rate, _ = _pipeline(nps * 10, args.batch)
    print(f"assess (scanner+model+risk), NPS lines x10 ({len(nps) * 10}): ", end="")
    print(f"{nps_rate:,.0f} messages/s")
    synthetic, synthetic_cpu = _pipeline(corpus_messages(200_000), args.batch)
    print(
        f"assess, our synthetic disguised corpus (200000): {synthetic:,.0f} "
        f"messages/s ({synthetic_cpu:,.0f} per CPU second)"
    )
    presidio, presidio_cpu = _presidio_rate(texts[:5000], matched=False)
    print(
        f"presidio phone+email recognisers, WhatsApp lines: {presidio:,.0f} messages/s"
        f" ({presidio_cpu:,.0f} per CPU second)"
    )
    matched, matched_cpu = _presidio_rate(texts[:5000], matched=True)
    print(
        "presidio pattern recognisers for our personal-detail types (phone, email,"
        f" card, IBAN, UK postcode, URL): {matched:,.0f} messages/s"
        f" ({matched_cpu:,.0f} per CPU second)"
    )
    print(
        f"assess / presidio, type for type: {pipeline_cpu / matched_cpu:.1f}x per CPU"
        f" second (target >= 30x); phone+email only: {pipeline_cpu / presidio_cpu:.1f}x"
    )
    linear = linear_time(args.small_mb)
    for name, figures in linear.items():
        print(
            f"{name}: sizes {figures['sizes']}, {figures['seconds']} s, "
            f"ratio {figures['ratio']}; CPU {figures['cpu_seconds']} s, "
            f"ratio {figures['cpu_ratio']} (10 is linear)"
        )
    results = {
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "messages": len(texts),
        "scanner_messages_per_s": round(scanner),
        "pipeline_messages_per_s": round(pipeline),
        "pipeline_nps_messages_per_s": round(nps_rate),
        "pipeline_messages_per_cpu_s": round(pipeline_cpu),
        "pipeline_warm_messages_per_s": round(warm),
        "pipeline_warm_messages_per_cpu_s": round(warm_cpu),
        "synthetic_messages_per_s": round(synthetic),
        "synthetic_messages_per_cpu_s": round(synthetic_cpu),
        "presidio_messages_per_s": round(presidio),
        "presidio_messages_per_cpu_s": round(presidio_cpu),
        "pipeline_over_presidio": round(pipeline / presidio, 1),
        "pipeline_over_presidio_cpu": round(pipeline_cpu / presidio_cpu, 1),
        # The target (30 x) is judged here: Presidio doing the same kinds of work.
        "presidio_matched_recognizers": sorted(
            n for names in PRESIDIO_MATCHED.values() for n in names
        ),
        "presidio_matched_messages_per_s": round(matched),
        "presidio_matched_messages_per_cpu_s": round(matched_cpu),
        "pipeline_over_presidio_matched": round(pipeline / matched, 1),
        "pipeline_over_presidio_matched_cpu": round(pipeline_cpu / matched_cpu, 1),
        "linear_time": linear,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
