"""SQLite writers queue on a lock file instead of polling for the write lock."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection

from safecontact.contact.services.writers import writer_turn

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite files need the lock file"
)


@sqlite_only
def test_a_second_writer_waits_until_the_first_has_finished(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "db.sqlite3"))
    events: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first() -> None:
        with writer_turn():
            events.append("first in")
            first_in.set()
            release.wait(5)
            events.append("first out")

    def second() -> None:
        first_in.wait(5)
        with writer_turn():
            events.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(5)
    threads[1].join(0.2)  # the second writer is blocked, not finished
    release.set()
    for thread in threads:
        thread.join(5)
    assert events == ["first in", "first out", "second in"]
    assert (tmp_path / "db.sqlite3-writers.lock").exists()


@pytest.mark.django_db
def test_in_memory_and_postgresql_databases_need_no_lock_file():
    name = str(connection.settings_dict["NAME"])
    with writer_turn():
        pass
    assert not Path(f"{name}-writers.lock").exists()
