"""How fast the Lead's pages answer on a large register, and how many queries.

Builds, with bulk_create, an umbrella body of 200 member organisations holding
100,000 people and a million contact-log entries between them, plus one
organisation of 50,000 people with messages, an inbox, held messages and an
outbox. Then asks each page several times through Django's test client (the
server's own time, no network) and reports p50, p95 and the queries per page.

BENCH_PAGES_SCALE (default 1) shrinks every count for a quicker run; the scale
used is written with the figures. Runs on SQLite (a fresh file) and, when
DATABASE_URL is set, on PostgreSQL in a database named bench_pages on the same
server (recreated). Writes benchmarks/results/pages.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.json"
SCALE = float(os.environ.get("BENCH_PAGES_SCALE", "1"))
MEMBERS = 200
UMBRELLA_PEOPLE = int(100_000 * SCALE)
LOG_ENTRIES = int(1_000_000 * SCALE)
BIG_PEOPLE = int(50_000 * SCALE)
BIG_MESSAGES = int(20_000 * SCALE)
REPEAT = int(os.environ.get("BENCH_PAGES_REPEAT", "10"))
BATCH = 5000


def _people(org: Any, count: int, today: Any) -> dict[str, Any]:
    """Workers, children, adults at risk and parents, in groups, with consent."""
    import datetime as dt
    import random

    from safecontact.groups.models import Group, GroupMember, Platform
    from safecontact.people.models import (
        Consent,
        Person,
        Training,
        VettingCheck,
        WorkerProfile,
    )

    rng = random.Random(org.pk)
    kinds = ["worker"] * 1 + ["child"] * 6 + ["adult_at_risk"] * 1 + ["parent"] * 2
    people = Person.objects.bulk_create(
        [
            Person(
                organisation=org,
                first_name=f"P{i}",
                last_name=f"L{i % 997}",
                kind=kinds[i % 10],
                date_of_birth=today
                - dt.timedelta(days=365 * (12 if kinds[i % 10] == "child" else 40)),
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    workers = [p for p in people if p.kind == "worker"]
    WorkerProfile.objects.bulk_create(
        [
            WorkerProfile(
                person=p,
                employment="volunteer",
                start_date=today - dt.timedelta(days=900),
            )
            for p in workers
        ],
        batch_size=BATCH,
    )
    VettingCheck.objects.bulk_create(
        [
            VettingCheck(
                person=p,
                level="enhanced_barred",
                certificate_date=today - dt.timedelta(days=rng.randint(10, 1300)),
            )
            for p in workers
        ],
        batch_size=BATCH,
    )
    Training.objects.bulk_create(
        [
            Training(
                person=p,
                level="foundation",
                completed_on=today - dt.timedelta(days=400),
                expires_on=today + dt.timedelta(days=rng.randint(-100, 700)),
            )
            for p in workers
        ],
        batch_size=BATCH,
    )
    platform_ = Platform.objects.create(
        organisation=org, name="Email", kind="email", approved=True
    )
    groups = Group.objects.bulk_create(
        [
            Group(
                organisation=org,
                name=f"Group {g}",
                description="youth group",
                audience="children",
                platform=platform_,
            )
            for g in range(max(count // 50, 2))
        ]
    )
    members = [p for p in people if p.kind in ("child", "adult_at_risk")]
    GroupMember.objects.bulk_create(
        [
            GroupMember(group=groups[i % len(groups)], person=p)
            for i, p in enumerate(members + workers[: len(groups)])
        ],
        batch_size=BATCH,
    )
    parents = [p for p in people if p.kind == "parent"] or workers
    consents = Consent.objects.bulk_create(
        [
            Consent(
                organisation=org,
                subject=p,
                kind="parental" if p.kind == "child" else "adult",
                given_by=parents[i % len(parents)] if p.kind == "child" else None,
                channels=["email"],
                evidence="form",
                evidence_date=today,
                expires_on=today + dt.timedelta(days=300),
            )
            for i, p in enumerate(members)
            if i % 3
        ],
        batch_size=BATCH,
    )
    through = Consent.groups.through
    group_of = {p.pk: groups[i % len(groups)].pk for i, p in enumerate(members)}
    through.objects.bulk_create(
        [through(consent_id=c.pk, group_id=group_of[c.subject_id]) for c in consents],
        batch_size=BATCH,
    )
    return {"people": people, "groups": groups}


def _log(org: Any, count: int, codes: list[str] | None = None) -> None:
    import hashlib
    import uuid

    from django.utils import timezone

    from safecontact.ledger.models import ChainHead, LedgerEntry

    now = timezone.now()
    prev = "0" * 64
    for start in range(0, count, BATCH):
        rows = []
        for seq in range(start + 1, min(start + BATCH, count) + 1):
            digest = hashlib.sha256(f"{org.pk}:{seq}".encode()).hexdigest()
            message = (
                codes[seq - 1] if codes and seq <= len(codes) else str(uuid.uuid4())
            )
            rows.append(
                LedgerEntry(
                    organisation=org,
                    seq=seq,
                    prev_hash=prev,
                    hash=digest,
                    kind="message.attempt",
                    content={"decision": "allow", "message": message},
                    subjects=[],
                    actor_label="bench",
                    created_at=now,
                )
            )
            prev = digest
        LedgerEntry.objects.bulk_create(rows)
    ChainHead.objects.update_or_create(
        organisation=org, defaults={"seq": count, "hash": prev}
    )


def _messages(org: Any, lead: Any, count: int) -> list[str]:
    import datetime as dt

    from django.utils import timezone

    from safecontact.contact.models import Delivery, InboxItem, Message

    statuses = ["sent"] * 6 + ["held", "deferred", "blocked", "queued"]
    messages = Message.objects.bulk_create(
        [
            Message(
                organisation=org,
                direction="outbound",
                status=statuses[i % 10],
                author=lead,
                subject=f"Message {i}",
                body="See you on Friday at the youth club.",
                decision={"outcome": "allow", "reasons": [], "changes": []},
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    InboxItem.objects.bulk_create(
        [InboxItem(user=lead, message=m, reason="oversight") for m in messages],
        batch_size=BATCH,
    )
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                organisation=org,
                message=m,
                next_attempt_at=now + dt.timedelta(seconds=i),
            )
            for i, m in enumerate(messages)
            if m.status in ("queued", "deferred")
        ],
        batch_size=BATCH,
    )
    return [str(m.code) for m in messages]


def build() -> dict[str, Any]:
    from safecontact.accounts.models import Organisation, User
    from safecontact.accounts.tests.factories import confirmed_totp_device
    from safecontact.dashboard.models import UmbrellaMembership
    from safecontact.dashboard.services import take_snapshot
    from safecontact.lib.dates import org_today

    started = time.perf_counter()
    umbrella = Organisation.objects.create(name="Diocese")
    umbrella_lead = User.objects.create(
        username="umbrella", role="lead", organisation=umbrella
    )
    members = Organisation.objects.bulk_create(
        [Organisation(name=f"Parish {i:03}") for i in range(MEMBERS)]
    )
    today = org_today(umbrella)
    for org in members:
        _people(org, UMBRELLA_PEOPLE // MEMBERS, today)
        _log(org, LOG_ENTRIES // MEMBERS)
    UmbrellaMembership.objects.bulk_create(
        [
            UmbrellaMembership(
                umbrella=umbrella,
                member=m,
                invited_by=umbrella_lead,
                accepted_at=umbrella.created_at,
            )
            for m in members
        ]
    )
    built_umbrella = time.perf_counter() - started
    big = Organisation.objects.create(name="Cathedral")
    lead = User.objects.create(username="lead", role="lead", organisation=big)
    _people(big, BIG_PEOPLE, today)
    codes = _messages(big, lead, BIG_MESSAGES)
    _log(big, BIG_MESSAGES, codes)
    for org in members:
        take_snapshot(org)
    for user in (lead, umbrella_lead):
        confirmed_totp_device(user)
    return {
        "lead": lead,
        "umbrella_lead": umbrella_lead,
        "message": codes[-1],
        "member": str(
            UmbrellaMembership.objects.filter(umbrella=umbrella).first().code
        ),  # type: ignore[union-attr]
        "build_seconds": round(time.perf_counter() - started, 1),
        "umbrella_build_seconds": round(built_umbrella, 1),
    }


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times, queries, status = [], 0, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "url": url,
        "status": status,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def run(database: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    data = build()
    lead, umbrella = _client(data["lead"]), _client(data["umbrella_lead"])
    pages = {
        "dashboard": (lead, reverse("dashboard:dashboard")),
        "trustees_report": (lead, reverse("dashboard:report")),
        "umbrella_overview": (umbrella, reverse("dashboard:umbrella")),
        "umbrella_member": (
            umbrella,
            reverse("dashboard:member", args=[data["member"]]),
        ),
        "attention_list": (lead, reverse("people:attention")),
        "register": (lead, reverse("people:list")),
        "register_cleared": (lead, reverse("people:list") + "?status=cleared"),
        "message": (lead, reverse("contact:detail", args=[data["message"]])),
        "inbox": (lead, reverse("contact:inbox")),
        "held": (lead, reverse("contact:held")),
        "outbox": (lead, reverse("contact:outbox")),
        "contact_log": (lead, reverse("ledger:list")),
    }
    found = {}
    for name, (client, url) in pages.items():
        found[name] = measure(client, url)
        print(f"{database:10} {name:18} {found[name]}", file=sys.stderr, flush=True)
    return {
        "database": database,
        "build_seconds": data["build_seconds"],
        "umbrella_build_seconds": data["umbrella_build_seconds"],
        "pages": found,
    }


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    base = url.rsplit("/", 1)[0]
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_pages")
        conn.execute("CREATE DATABASE bench_pages")
    return f"{base}/bench_pages"


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        print(json.dumps(run(sys.argv[2])))
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SQLITE_PATH": f"{tmp}/bench.sqlite3", "DEBUG": "true"}
        env.pop("DATABASE_URL", None)
        targets = [("sqlite", env)]
        if (pg := _postgres_url()) is not None:
            targets.append(
                ("postgresql", {**os.environ, "DATABASE_URL": pg, "DEBUG": "true"})
            )
        for name, target_env in targets:
            out = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--run", name],
                env=target_env,
                capture_output=False,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    result = {
        "scale": SCALE,
        "counts": {
            "umbrella_members": MEMBERS,
            "umbrella_people": UMBRELLA_PEOPLE,
            "contact_log_entries": LOG_ENTRIES + BIG_MESSAGES,
            "big_organisation_people": BIG_PEOPLE,
            "big_organisation_messages": BIG_MESSAGES,
        },
        "repeat": REPEAT,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'page':20} " + " ".join(f"{r['database']:>28}" for r in runs))
    for page in runs[0]["pages"]:
        cells = " ".join(
            f"{r['pages'][page]['p95_ms']:>10} ms p95 {r['pages'][page]['queries']:>4} q"
            for r in runs
        )
        print(f"{page:20} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
