"""manage.py checkpoint_ledger: the cheap, frequent check that signs checkpoints."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safecontact.ledger import checkpoints
from safecontact.ledger.tests import tamper
from safecontact.ledger.tests.factories import make_entries

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("checkpoint_ledger", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_it_signs_a_checkpoint_of_each_log(org, other_org):
    make_entries(org, 3)
    make_entries(other_org, 1)
    out = run()
    assert "OK: 3 entries verified." in out
    newest = checkpoints.read(str(org.code)).newest
    assert newest is not None
    # The first has no checkpoint to start from, so it checked everything.
    assert (newest.count, newest.last_seq, newest.verified) == (3, 3, "full")
    assert checkpoints.read(str(other_org.code)).newest.count == 1  # type: ignore[union-attr]


def test_it_checks_only_what_was_added_since_and_adds_a_line(org):
    make_entries(org, 3)
    run()
    make_entries(org, 2)
    assert "OK: 2 new entries verified since" in run("--organisation", str(org.code))
    reading = checkpoints.read(str(org.code))
    assert reading.count == 2
    assert reading.newest is not None
    assert reading.newest.verified == "since_checkpoint"


def test_nothing_new_adds_no_line(org):
    make_entries(org, 2)
    run()
    run()
    assert checkpoints.read(str(org.code)).count == 1


def test_the_file_only_grows_and_is_private(org):
    make_entries(org, 1)
    run()
    path = checkpoints.path_for(str(org.code))
    first = path.read_text()
    make_entries(org, 1)
    run()
    assert path.read_text().startswith(first)
    assert path.stat().st_mode & 0o077 == 0


def test_it_refuses_to_sign_a_log_cut_short_since_the_checkpoint(org):
    entries = make_entries(org, 3)
    run()
    tamper.delete_row(entries[-1])
    with pytest.raises(CommandError, match="failed verification"):
        run()
    assert checkpoints.read(str(org.code)).count == 1


def test_it_logs_each_checkpoint_without_contents(org, caplog):
    make_entries(org, 1, content={"secret": "do not log me"})
    with caplog.at_level("INFO", logger="safecontact.ledger.checkpoints"):
        run()
    assert "Contact log checkpoint" in caplog.text
    assert "do not log me" not in caplog.text
