"""Time and peak memory of a group audit (issue 11): a made-up WhatsApp
export of 200,000 messages, read, matched against a register, scanned and
stored, on SQLite (and PostgreSQL when BENCH_PG_URL or DATABASE_URL is set).

    python benchmarks/bench_group_audit.py [--messages N] [--megabytes M]

The export is written by a streamed generator (our own lines, nothing from
../shared/data). Peak memory is the process's maximum resident set size,
reported before the audit (Django, the screening model) and after it. With
``--megabytes`` it also audits an export of about that size (100 MB is about
1.3 million messages; a few minutes). Figures go to
benchmarks/results/bench_group_audit.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script
RESULTS = ROOT / "benchmarks" / "results" / "bench_group_audit.json"
TARGET_SECONDS = 60

SENDERS = [f"Member {n}" for n in range(30)] + ["Leader One", "+44 7700 900123"]
WORDS = [
    "see",
    "you",
    "at",
    "the",
    "hall",
    "on",
    "sunday",
    "bring",
    "a",
    "packed",
    "lunch",
    "and",
    "wet",
    "weather",
    "gear",
    "the",
    "minibus",
    "leaves",
    "at",
    "nine",
    "please",
    "reply",
    "if",
    "your",
    "child",
    "is",
    "coming",
]


def lines(messages: int) -> Iterator[str]:
    start = dt.datetime(2025, 1, 13, 17, 0)  # noqa: DTZ001 (exports are naive)
    for n in range(messages):
        when = start + dt.timedelta(minutes=3 * n)
        sender = SENDERS[n % len(SENDERS)]
        text = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(4 + n % 12))
        if n % 5000 == 0:
            text = "this is our secret, don't tell your mum"
        if n % 7000 == 0:
            text = "text me on 07700 900456"
        yield f"{when:%d/%m/%Y, %H:%M} - {sender}: {text}\n"


def write_export(path: Path, messages: int) -> int:
    with path.open("w", encoding="utf-8") as out:
        for line in lines(messages):
            out.write(line)
    return path.stat().st_size


def messages_for(megabytes: int) -> int:
    sample = sum(len(line.encode()) for line in lines(10_000)) / 10_000
    return int(megabytes * 1024 * 1024 / sample)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup() -> Any:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
    from safecontact.groups.tests.factories import GroupFactory
    from safecontact.people.tests.factories import ChildFactory, WorkerFactory

    org = OrganisationFactory.create(name="Bench Audit Church")
    lead = UserFactory.create(organisation=org, role="lead")
    WorkerFactory.create(organisation=org, first_name="Leader", last_name="One")
    for n in range(20):
        ChildFactory.create(organisation=org, first_name="Member", last_name=str(n))
    evening = [{"day": d, "start": "18:00", "end": "20:00"} for d in range(7)]
    group = GroupFactory.create(organisation=org, name="Bench group", hours=evening)
    return lead, group


def audit(lead: Any, group: Any, tmp: Path, messages: int) -> dict[str, Any]:
    from safecontact.audits import services
    from safecontact.audits.sealed import seal_file

    path = tmp / f"export-{messages}.txt"
    size = write_export(path, messages)
    before = peak_mb()
    # The upload handler encrypts as the file arrives; here it is done first.
    start = time.perf_counter()
    sealed = seal_file(path, tmp / f"export-{messages}.sealed")
    seal_seconds = time.perf_counter() - start
    start = time.perf_counter()
    started = services.start_audit(
        actor=lead, group=group, upload=sealed, file_name=path.name
    )
    done = services.run_audit(started.pk)
    seconds = time.perf_counter() - start
    assert done is not None and done.status == "done", done and done.error
    return {
        "messages": done.messages_read,
        "export_mb": round(size / 1024 / 1024, 1),
        "seconds": round(seconds, 1),
        "encrypt_upload_seconds": round(seal_seconds, 1),
        "messages_per_second": round(done.messages_read / seconds),
        "findings": done.findings.count(),
        "peak_rss_mb_before": round(before, 1),
        "peak_rss_mb_after": round(peak_mb(), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--megabytes", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
        os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_PG_URL", ""))
        if not os.environ["DATABASE_URL"]:
            os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
        lead, group = setup()
        runs = [audit(lead, group, Path(tmp), args.messages)]
        if args.megabytes:
            runs.append(audit(lead, group, Path(tmp), messages_for(args.megabytes)))
    database = "postgresql" if os.environ["DATABASE_URL"] else "sqlite"
    result = {"database": database, "target_seconds": TARGET_SECONDS, "runs": runs}
    for run in runs:
        verdict = "ok" if run["seconds"] < TARGET_SECONDS else "SLOW"
        print(
            f"{run['messages']:>9,} messages ({run['export_mb']} MB) on {database}: "
            f"{run['seconds']} s ({run['messages_per_second']:,}/s) {verdict}; "
            f"peak RSS {run['peak_rss_mb_before']} -> {run['peak_rss_mb_after']} MB"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if runs[0]["seconds"] < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
