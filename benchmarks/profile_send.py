"""Where a send's CPU goes: cProfile over many sends.

Sets up a throwaway SQLite database with the test factories (a cleared
worker with an API key, children with parents and all-day consent), sends N
direct messages and prints the CPU time a send costs, its queries, and the
functions with the most cumulative and own time. With ``--api`` each send is
``POST /api/v1/contact/messages`` through Django's test client (middleware,
authentication, the API's checks and the service), as the gateway bench
sends it; without, ``send_message`` is called directly. DEBUG is off, as in
production. Not part of ``make bench``'s figures; run it by hand:

    .venv/bin/python benchmarks/profile_send.py [N] [--api] [--no-profile] [--sql]

``--sql`` prints the statements of one send. The CPU spent holding the
writers' lock (``writer_turn``: the write transaction, which serialises
every sender on SQLite) is printed too.

CPU time (not wall time) is reported so that other work on the machine
changes the figure less; it still rises when the machine is busy.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _environment(folder: str) -> None:
    os.environ.update(
        SQLITE_PATH=str(Path(folder) / "db.sqlite3"),
        DJANGO_SETTINGS_MODULE="safecontact.settings",
        LEDGER_CHECKPOINT_DIR=folder,
        DEBUG="false",
        SECRET_KEY="profile-only-secret-key-" + "x" * 40,
        FIELD_ENCRYPTION_KEYS="ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA=",
        LEDGER_CHECKPOINT_KEY="profile-only-checkpoint-key-" + "y" * 40,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_URL", None)


def _sender(api: bool) -> Callable[[int], None]:
    """Set up the organisation; a function that sends message ``i``."""
    from safecontact.accounts.services import create_api_key
    from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
    from safecontact.contact.services import send_message
    from safecontact.people.tests.factories import (
        ChildFactory,
        ConsentFactory,
        ParentFactory,
        RelationshipFactory,
        WorkerFactory,
        purpose_named,
    )

    all_day = [{"day": d, "start": "00:00", "end": "23:59"} for d in range(7)]
    org = OrganisationFactory.create(name="Profile Church")
    user = UserFactory.create(organisation=org, role="worker")
    WorkerFactory.create(organisation=org, user=user)
    children = []
    for n in range(20):
        child = ChildFactory.create(organisation=org, email=f"c{n}@kids.example.org")
        parent = ParentFactory.create(organisation=org)
        RelationshipFactory.create(person=child, carer=parent)
        ConsentFactory.create(subject=child, given_by=parent, hours=all_day)
        children.append(child)
    purpose = purpose_named(org)
    if not api:

        def send(i: int) -> None:
            send_message(
                actor=user,
                recipients=[children[i % len(children)]],
                channel="email",
                purpose=purpose,
                subject="Thursday",
                body="See you at youth club on Thursday at 7.",
            )

        return send

    from django.test import Client

    _, key = create_api_key(actor=user, name="profile")
    client = Client(headers={"Authorization": f"Bearer {key}"})

    def post(i: int) -> None:
        body = {
            "recipients": [str(children[i % len(children)].code)],
            "channel": "email",
            "purpose": str(purpose.code),
            "subject": "Thursday",
            "body": f"See you at youth club on Thursday at 7. ({i})",
        }
        response = client.post(
            "/api/v1/contact/messages", json.dumps(body), "application/json"
        )
        if response.status_code != 201:
            raise RuntimeError(response.content.decode())

    return post


def _time_writer_turn() -> list[float]:
    """Count the CPU time spent inside ``writer_turn`` (the write transaction)."""
    from contextlib import contextmanager

    from safecontact.contact.services import sending

    spent = [0.0]
    turn = sending.writer_turn

    @contextmanager
    def timed() -> Iterator[None]:
        with turn():
            began = time.process_time()
            try:
                yield
            finally:
                spent[0] += time.process_time() - began

    sending.writer_turn = timed  # type: ignore[assignment]
    return spent


def main(count: int, *, api: bool, profile: bool, show_sql: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    _environment(tempfile.mkdtemp(prefix="profile-send-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    locked = _time_writer_turn()
    send = _sender(api)
    for i in range(20):  # warm up caches and the scanner
        send(i)
    with CaptureQueriesContext(connection) as queries:
        send(0)
    # Counted now: the next request clears the connection's query log.
    queried = len(queries.captured_queries)
    if show_sql:
        for query in queries.captured_queries:
            print(query["sql"][:300])
    locked[0] = 0.0
    began = time.process_time()
    for i in range(count):
        send(i)
    cpu = time.process_time() - began
    what = "POST /api/v1/contact/messages" if api else "send_message"
    print(
        f"{count} x {what}: {1000 * cpu / count:.2f} ms CPU "
        f"({1000 * locked[0] / count:.2f} ms of it holding the writers' lock) "
        f"and {queried} queries a send "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    if not profile:
        return
    # CPU time, not wall time: waiting for the disk is not the send's cost.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(count):
        send(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("PROFILE_OUT"):
        stats.dump_stats(os.environ["PROFILE_OUT"])
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    main(
        numbers[0] if numbers else 300,
        api="--api" in sys.argv,
        profile="--no-profile" not in sys.argv,
        show_sql="--sql" in sys.argv,
    )
