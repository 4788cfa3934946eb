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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.json"
# Built databases, kept between runs (git ignores it): building takes minutes.
CACHE = ROOT / "benchmarks" / ".cache"
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

    from safecontact.groups.models import Group, GroupMember, Platform, Purpose
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
    purpose = Purpose.objects.create(organisation=org, name="Youth club")
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
    Group.purposes.through.objects.bulk_create(
        [Group.purposes.through(group_id=g.pk, purpose_id=purpose.pk) for g in groups]
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
    # Most consents allow the groups' purpose; one in ten allows none.
    allowed = Consent.purposes.through
    allowed.objects.bulk_create(
        [
            allowed(consent_id=c.pk, purpose_id=purpose.pk)
            for i, c in enumerate(consents)
            if i % 10
        ],
        batch_size=BATCH,
    )
    return {"people": people, "groups": groups}


def _log(org: Any, count: int, codes: list[str] | None = None) -> None:
    """``count`` contact-log entries, written with executemany in one
    transaction: a million model objects would take most of the build."""
    import hashlib
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from safecontact.ledger.models import ChainHead, LedgerEntry

    names = ["code", "organisation", "seq", "prev_hash", "hash", "kind", "content"]
    names += ["subjects", "actor_label", "created_at", "message_code"]
    fields: list[Any] = [LedgerEntry._meta.get_field(n) for n in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {LedgerEntry._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608

    def prep(name: str, value: Any) -> Any:
        return fields[names.index(name)].get_db_prep_save(value, connection)

    now, subjects = prep("created_at", timezone.now()), prep("subjects", [])
    prev = "0" * 64
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, count, BATCH):
            rows = []
            for seq in range(start + 1, min(start + BATCH, count) + 1):
                digest = hashlib.sha256(f"{org.pk}:{seq}".encode()).hexdigest()
                message = uuid.UUID(codes[seq - 1]) if codes else uuid.uuid4()
                rows.append(
                    (
                        prep("code", uuid.uuid4()),
                        org.pk,
                        seq,
                        prev,
                        digest,
                        "message.attempt",
                        prep("content", {"decision": "allow", "message": str(message)}),
                        subjects,
                        "bench",
                        now,
                        prep("message_code", message),
                    )
                )
                prev = digest
            cursor.executemany(sql, rows)
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


def _audit(org: Any, lead: Any, count: int) -> None:
    """Audit-trail entries for the big organisation, some about cases."""
    import uuid

    from safecontact.audittrail.models import AuditEntry

    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                organisation=org,
                actor=lead,
                actor_label="lead",
                action="create",
                model="concerns.case" if i % 20 == 0 else "people.person",
                object_code=str(uuid.uuid4()),
                object_label=f"Record {i}",
                after={"n": i},
                case_code=uuid.uuid4() if i % 20 == 0 else None,
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )


def build() -> dict[str, Any]:
    """Write the whole data set; return how long each part took."""
    from django.db import transaction

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
        with transaction.atomic():
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
    with transaction.atomic():
        _people(big, BIG_PEOPLE, today)
    codes = _messages(big, lead, BIG_MESSAGES)
    _log(big, BIG_MESSAGES, codes)
    _audit(big, lead, BIG_PEOPLE)
    for org in members:
        take_snapshot(org)
    for user in (lead, umbrella_lead):
        confirmed_totp_device(user)
    return {
        "build_seconds": round(time.perf_counter() - started, 1),
        "umbrella_build_seconds": round(built_umbrella, 1),
    }


def _found() -> dict[str, Any]:
    """The users and records the pages are asked about, from a built database."""
    from safecontact.accounts.models import User
    from safecontact.accounts.services import create_api_key
    from safecontact.contact.models import Message
    from safecontact.dashboard.models import UmbrellaMembership

    lead = User.objects.get(username="lead")
    member = UmbrellaMembership.objects.order_by("pk").first()
    message = Message.objects.filter(organisation=lead.organisation).latest("pk")
    _, key = create_api_key(actor=lead, name="bench")
    return {
        "lead": lead,
        "umbrella_lead": User.objects.get(username="umbrella"),
        "message": str(message.code),
        "member": str(member.code if member else ""),
        "key": key,
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


def measure(client: Any, url: str, **headers: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # warm up
    times, cpu, queries, status = [], [], 0, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            start, started = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            # This process only: the PostgreSQL server's own CPU is not in it.
            cpu.append((time.process_time() - started) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "url": url,
        "status": status,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
    import django

    django.setup()


def build_only() -> dict[str, Any]:
    from django.core.management import call_command

    _setup()
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":  # a throwaway file: no need to wait for the disk
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    built = build()
    # The people were bulk-inserted, past the services that keep these rows.
    from safecontact.people import state

    started = time.perf_counter()
    state.rebuild()
    return {**built, "state_rebuild_seconds": round(time.perf_counter() - started, 1)}


def run(database: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    _setup()
    call_command("migrate", verbosity=0)
    data = _found()
    lead, umbrella = _client(data["lead"]), _client(data["umbrella_lead"])
    api = {"Authorization": f"Bearer {data['key']}"}
    pages = {
        "dashboard": (lead, reverse("dashboard:dashboard")),
        "trustees_report": (lead, reverse("dashboard:report")),
        "umbrella_overview": (umbrella, reverse("dashboard:umbrella")),
        "umbrella_member": (
            umbrella,
            reverse("dashboard:member", args=[data["member"]]),
        ),
        "attention_list": (lead, reverse("people:attention")),
        "attention_consent": (lead, reverse("people:attention") + "?category=consent"),
        "register": (lead, reverse("people:list")),
        "register_cleared": (lead, reverse("people:list") + "?status=cleared"),
        "message": (lead, reverse("contact:detail", args=[data["message"]])),
        "inbox": (lead, reverse("contact:inbox")),
        "held": (lead, reverse("contact:held")),
        "outbox": (lead, reverse("contact:outbox")),
        "audit_trail": (lead, reverse("people:audit")),
        "contact_log": (lead, reverse("ledger:list")),
        "contact_log_search": (lead, reverse("ledger:list") + "?person=P1"),
    }
    # BENCH_PAGES_ONLY=attention_list,attention_consent measures only those.
    only = {n for n in os.environ.get("BENCH_PAGES_ONLY", "").split(",") if n}
    pages = {n: page for n, page in pages.items() if not only or n in only}
    found = {}
    for name, (client, url) in pages.items():
        found[name] = measure(client, url)
        print(f"{database:10} {name:18} {found[name]}", file=sys.stderr, flush=True)
    for name, url in {
        "api_people": "/api/v1/people/",
        "api_workers": "/api/v1/people/workers",
        "api_messages": "/api/v1/contact/messages",
        "api_log_entries": "/api/v1/ledger/entries",
    }.items():
        if only and name not in only:
            continue
        found[name] = measure(Client(), url, **api)
        print(f"{database:10} {name:18} {found[name]}", file=sys.stderr, flush=True)
    return {"database": database, "pages": found}


def _key() -> str:
    """Changes when the data set would: names the cached build. A cached
    database is migrated before each run, so new indexes apply to it."""
    import hashlib
    import inspect

    digest = hashlib.sha256(f"{SCALE}".encode())
    for builder in (_people, _log, _messages, _audit, build):
        digest.update(inspect.getsource(builder).encode())
    return digest.hexdigest()[:12]


def _postgres_url() -> str | None:
    """The bench's own database on DATABASE_URL's server (recreated, empty)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    base = url.rsplit("/", 1)[0]
    name = os.environ.get("BENCH_PAGES_DB", "bench_pages")
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _child(mode: str, database: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, mode, database],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _sqlite(tmp: str) -> dict[str, Any]:
    """Build once into the cache, then measure on a copy of it."""
    cached = CACHE / f"pages-sqlite-{_key()}.sqlite3"
    env = {**os.environ, "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    if not cached.exists():
        building = cached.with_suffix(".building")
        building.unlink(missing_ok=True)
        built = _child("--build", "sqlite", {**env, "SQLITE_PATH": str(building)})
        cached.with_suffix(".json").write_text(json.dumps(built))
        building.rename(cached)
    copy = Path(tmp) / "bench.sqlite3"
    shutil.copyfile(cached, copy)
    result = _child("--run", "sqlite", {**env, "SQLITE_PATH": str(copy)})
    return {**json.loads(cached.with_suffix(".json").read_text()), **result}


def _tool(*args: str) -> None:
    subprocess.run(args, check=True)  # noqa: S603


def _postgres(url: str) -> dict[str, Any]:
    """Build once and keep a pg_dump in the cache; restore it for each run."""
    cached = CACHE / f"pages-postgresql-{_key()}.dump"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    if cached.exists():
        _tool("pg_restore", "--no-owner", "--jobs=2", f"--dbname={url}", str(cached))
    else:
        built = _child("--build", "postgresql", env)
        building = cached.with_suffix(".building")
        _tool("pg_dump", "--format=custom", f"--file={building}", url)
        cached.with_suffix(".json").write_text(json.dumps(built))
        building.rename(cached)
    _tool("psql", url, "-qc", "ANALYZE")
    result = _child("--run", "postgresql", env)
    return {**json.loads(cached.with_suffix(".json").read_text()), **result}


def _merged(result: dict[str, Any]) -> dict[str, Any]:
    """Keep the other database's run from the last results at the same scale,
    when only one database was run this time."""
    try:
        last = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return result
    if last.get("scale") != result["scale"]:
        return result
    ran = {r["database"] for r in result["runs"]}
    kept = [r for r in last.get("runs", []) if r["database"] not in ran]
    return {**result, "runs": kept + result["runs"]}


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] in ("--run", "--build"):
        found = run(sys.argv[2]) if sys.argv[1] == "--run" else build_only()
        print(json.dumps(found))
        return 0
    CACHE.mkdir(exist_ok=True)
    load = os.getloadavg()
    # BENCH_PAGES_DATABASES=postgresql (or sqlite) runs one of the two.
    chosen = os.environ.get("BENCH_PAGES_DATABASES", "sqlite,postgresql").split(",")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [_sqlite(tmp)] if "sqlite" in chosen else []
        if "postgresql" in chosen and (pg := _postgres_url()) is not None:
            runs.append(_postgres(pg))
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
        "load_average_at_start": [round(x, 2) for x in load],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
    }
    if not os.environ.get("BENCH_PAGES_ONLY"):  # a partial run is not the figures
        RESULTS.write_text(json.dumps(_merged(result), indent=2) + "\n")
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
