"""Where a send's CPU goes: cProfile over many sends through the service.

Sets up a throwaway SQLite database with the test factories (a cleared
worker, children with parents and all-day consent), sends N direct messages
through ``send_message`` and prints the functions with the most cumulative
and own time. Not part of ``make bench``'s figures; run it by hand:

    .venv/bin/python benchmarks/profile_send.py [N]
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(count: int) -> None:
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="profile-send-")
    os.environ["SQLITE_PATH"] = str(Path(folder) / "db.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
    os.environ["LEDGER_CHECKPOINT_DIR"] = folder
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
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

    def send(i: int) -> None:
        send_message(
            actor=user,
            recipients=[children[i % len(children)]],
            channel="email",
            purpose=purpose,
            subject="Thursday",
            body="See you at youth club on Thursday at 7.",
        )

    for i in range(20):  # warm up caches and the scanner
        send(i)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        send(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"{count} sends, {total:.2f} s CPU, {1000 * total / count:.2f} ms a send")
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
