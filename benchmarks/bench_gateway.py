"""Messages accepted per second through the send API, and latency.

Each accepted message goes through the whole gateway: the register is read,
the policy engine decides, the scanner reads the text, the contact log gets a
hash-chained entry and the outbox a row. Served by gunicorn on 127.0.0.1 with
an API key; load comes from threads in this separate process, each sending a
bounded number of requests on its own connection (sync workers close it after
each response, so the client reconnects; gthread keeps it alive).

The send path is CPU-bound Python, so the default is a few single-threaded
sync workers (BENCH_WORKER_CLASS, BENCH_WORKERS, BENCH_THREADS override it);
threads in one process mostly queue for the GIL. BENCH_SCALE shrinks the
request counts and BENCH_DATABASES picks the databases for quick runs;
BENCH_RESULTS writes the figures elsewhere than benchmarks/results/.

Runs on SQLite (a fresh file) and on PostgreSQL (database ``bench_gateway`` on
127.0.0.1, recreated), prints a table and writes benchmarks/results/gateway.json.
Besides throughput and latency it records the CPU time gunicorn's workers
spent per request (on Linux), which other work on the machine disturbs less,
and the CPU this load generator spent per request: it runs on the same
cores, so what it costs the machine is not left to the server.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(
    os.environ.get("BENCH_RESULTS", ROOT / "benchmarks" / "results" / "gateway.json")
)
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_gateway"
)
CHILDREN = 40
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REQUESTS = {1: int(400 * SCALE), 16: int(3200 * SCALE)}
WARMUP = 200
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")


def setup_data() -> None:
    """In a child process with Django set up: one organisation, a cleared
    worker with an API key, children with parents and all-day consent."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from safecontact.accounts.services import create_api_key
    from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
    from safecontact.people.tests.factories import (
        ChildFactory,
        ConsentFactory,
        ParentFactory,
        RelationshipFactory,
        WorkerFactory,
        purpose_named,
    )

    all_day = [{"day": d, "start": "00:00", "end": "23:59"} for d in range(7)]
    org = OrganisationFactory.create(name="Bench Church")
    user = UserFactory.create(organisation=org, role="worker")
    WorkerFactory.create(organisation=org, user=user)
    codes = []
    for n in range(CHILDREN):
        child = ChildFactory.create(
            organisation=org, email=f"child{n}@kids.example.org"
        )
        parent = ParentFactory.create(organisation=org)
        RelationshipFactory.create(person=child, carer=parent)
        ConsentFactory.create(subject=child, given_by=parent, hours=all_day)
        codes.append(str(child.code))
    _, key = create_api_key(actor=user, name="bench")
    purpose = str(purpose_named(org).code)  # the one the consents allow
    print(json.dumps({"key": key, "children": codes, "purpose": purpose}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_for(database: str, sqlite_path: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        FIELD_ENCRYPTION_KEYS="ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA=",
        LEDGER_CHECKPOINT_KEY="bench-only-checkpoint-key-" + "y" * 40,
        LEDGER_CHECKPOINT_DIR=tempfile.mkdtemp(prefix="bench-checkpoints-"),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="safecontact.settings",
        # Plain HTTP on loopback: production's HTTPS redirect would answer
        # every request with a 301 and nothing would be measured.
        SECURE_SSL_REDIRECT="false",
    )
    env.pop("DATABASE_URL", None)
    if database == "postgresql":
        env["DATABASE_URL"] = PG_URL
    else:
        env["SQLITE_PATH"] = sqlite_path
    return env


def reset_postgres() -> None:
    import psycopg

    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_gateway")
        conn.execute("CREATE DATABASE bench_gateway")


def prepare(env: dict[str, str]) -> dict[str, Any]:
    py = sys.executable
    subprocess.run(  # noqa: S603
        [py, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(  # noqa: S603
        [py, __file__, "--setup"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "safecontact.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        f"--worker-class={WORKER_CLASS}",
        "--log-level=warning",
        # The app (and the scanner it compiles at import) loads once in the
        # master, before the workers fork, instead of once per worker.
        "--preload",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603
    # The master compiles the scanner before it listens: allow for a slow,
    # busy machine.
    for _ in range(1200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def warm_up(port: int, data: dict[str, Any]) -> None:
    """A new connection per request, so every worker (not just those that
    happen to hold the keep-alive connections) has loaded the URLconf and
    compiled the scanner before anything is timed."""
    load(port, data, 16, WARMUP, keep_alive=False)


def load(
    port: int,
    data: dict[str, Any],
    concurrency: int,
    total: int,
    *,
    keep_alive: bool = True,
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    per_thread = total // concurrency

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {
            "Authorization": f"Bearer {data['key']}",
            "Content-Type": "application/json",
        }
        mine: list[float] = []
        bad: list[int] = []
        for n in range(per_thread):
            child = data["children"][(index * per_thread + n) % len(data["children"])]
            body = json.dumps(
                {
                    "recipients": [child],
                    "channel": "email",
                    "purpose": data["purpose"],
                    "subject": "Thursday",
                    "body": f"See you at youth club on Thursday at 7. Bring a coat. ({n})",
                }
            )
            start = time.perf_counter()
            try:
                conn.request(
                    "POST", "/api/v1/contact/messages", body=body, headers=headers
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:  # a timeout or a dropped connection
                conn.close()
                status = 0
            mine.append(time.perf_counter() - start)
            if not keep_alive:
                conn.close()
            if status != 201:
                bad.append(status)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    began = time.perf_counter()
    cpu_began = time.process_time()  # every thread of this process
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    client_cpu = time.process_time() - cpu_began
    latencies.sort()
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "messages_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "client_cpu_ms_per_request": round(1000 * client_cpu / len(latencies), 2),
    }


def worker_cpu_seconds(master: int) -> float | None:
    """User and system CPU time of the gunicorn master's worker processes
    (Linux /proc; None elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master:  # its parent
            total += int(fields[11]) + int(fields[12])  # utime + stime
            found = True
    return total / tick if found else None


def bench(database: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(database, str(Path(tmp) / "bench.sqlite3"))
        if database == "postgresql":
            reset_postgres()
        data = prepare(env)
        port = free_port()
        server = serve(env, port)
        try:
            warm_up(port, data)
            rows = []
            for concurrency, total in REQUESTS.items():
                # Other work on the machine skews the numbers: record it.
                load_1m = round(os.getloadavg()[0], 2)
                cpu_before = worker_cpu_seconds(server.pid)
                result = load(port, data, concurrency, total)
                cpu_after = worker_cpu_seconds(server.pid)
                row = {
                    "database": database,
                    **result,
                    "server_cpu_ms_per_request": None
                    if cpu_before is None or cpu_after is None
                    else round(1000 * (cpu_after - cpu_before) / result["requests"], 1),
                    "load_average_before": load_1m,
                }
                rows.append(row)
                print(_line(row), flush=True)
            return rows
        finally:
            stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this run started (and only that one)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _line(row: dict[str, Any]) -> str:
    return (
        f"{row['database']:<11} {row['concurrency']:>4} {row['requests']:>8} "
        f"{row['errors']:>6} {row['messages_per_s']:>9} {row['p50_ms']:>8} {row['p99_ms']:>8} "
        f"{row['server_cpu_ms_per_request'] or '-':>8} "
        f"{row['client_cpu_ms_per_request']:>8} {row['load_average_before']:>6}"
    )


def main() -> int:
    # A plain kill still runs the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(
        f"{'database':<11} {'conc':>4} {'requests':>8} {'errors':>6} {'msg/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>8} {'client':>8} {'load':>6}"
    )
    rows = [row for database in DATABASES for row in bench(database)]
    if any(row["errors"] for row in rows):
        # A failed request is not a message accepted: the figures would lie.
        print(
            "Some requests failed, so these figures are not written. See the errors column."
        )
        return 1
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "what": "POST /api/v1/contact/messages: policy + scanner + ledger + outbox",
                "server": f"gunicorn {WORKER_CLASS}, {WORKERS} workers x {THREADS} threads, --preload, DEBUG=false",
                "client": "threads with http.client in one process on the same "
                "cores; one connection each, kept alive where the server "
                "allows it (sync workers close it after every response)",
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Written to {RESULTS}")
    return 0


if __name__ == "__main__":
    if "--setup" in sys.argv:
        setup_data()
    else:
        sys.exit(main())
