from __future__ import annotations

import uuid

import pytest
from django.core.management import CommandError, call_command

from safecontact.ledger.selectors import verify_chain
from safecontact.ledger.tests import tamper
from safecontact.ledger.tests.factories import make_entries


def run(*args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("verify_ledger", *args, stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def broken(capsys_args: tuple[str, ...] = ()) -> str:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="failed verification"):
        call_command(
            "verify_ledger", *capsys_args, stdout=StringIO(), stderr=err, no_color=True
        )
    return err.getvalue()


def test_it_reports_ok_with_the_count(org):
    make_entries(org, 5)
    out, err = run("--organisation", str(org.code))
    assert f"{org.name} ({org.code}): OK: 5 entries verified." in out
    assert err == ""


def test_an_organisation_with_no_entries_is_ok(org):
    out, _ = run("--organisation", str(org.code))
    assert "OK: 0 entries verified." in out


def test_it_checks_every_organisation_by_default(org, other_org):
    make_entries(org, 2)
    make_entries(other_org, 3)
    out, _ = run()
    assert "OK: 2 entries" in out
    assert "OK: 3 entries" in out


def test_it_finds_an_edited_entry(org):
    entries = make_entries(org, 5)
    tamper.set_content(entries[2], {"decision": "block", "n": 3})
    err = broken()
    assert "BROKEN at entry 3 (edited)" in err
    assert "2 entries before it verified" in err


def test_it_finds_a_deleted_entry(org):
    entries = make_entries(org, 5)
    tamper.delete_row(entries[1])
    assert "BROKEN at entry 2 (missing)" in broken()


def test_it_finds_the_last_entry_deleted(org):
    entries = make_entries(org, 4)
    tamper.delete_row(entries[-1])
    assert "BROKEN at entry 4 (missing)" in broken()


def test_it_finds_two_entries_swapped(org):
    entries = make_entries(org, 5)
    tamper.swap_seqs(entries[1], entries[3])
    assert "BROKEN at entry 2 (reordered)" in broken()


def test_it_finds_two_entries_contents_swapped(org):
    entries = make_entries(org, 5)
    tamper.swap_contents(entries[1], entries[2])
    result = verify_chain(org).result
    assert not result.ok
    assert result.first_bad_seq == 2
    assert result.problem in ("edited", "reordered")


def test_it_finds_an_entry_moved_to_another_organisation(org, other_org):
    from django.db import connection

    entries = make_entries(org, 3)
    make_entries(other_org, 3)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {tamper.TABLE} SET organisation_id = %s, seq = 4 WHERE id = %s",  # noqa: S608
            [other_org.pk, entries[2].pk],
        )
    assert not verify_chain(org).ok
    assert not verify_chain(other_org).ok


def test_it_checks_only_the_organisation_asked_for(org, other_org):
    make_entries(org, 2)
    entries = make_entries(other_org, 2)
    tamper.set_content(entries[0], {})
    out, _ = run("--organisation", str(org.code))
    assert "OK: 2 entries" in out
    assert other_org.name not in out


@pytest.mark.parametrize("code", [str(uuid.uuid4()), "not-a-code"])
def test_it_refuses_an_unknown_organisation(db, code):
    with pytest.raises(CommandError, match="No organisation has the code"):
        run("--organisation", code)


def test_its_output_never_includes_entry_contents(org):
    entries = make_entries(org, 2, content={"secret": "Dear Sam"})
    tamper.set_content(entries[0], {"secret": "Dear Alex"})
    err = broken()
    assert "Dear" not in err


def test_a_long_check_shows_its_progress(org, monkeypatch):
    from io import StringIO

    from safecontact.ledger import selectors
    from safecontact.ledger.management.commands import verify_ledger

    monkeypatch.setattr(selectors, "CHUNK", 2)
    monkeypatch.setattr(verify_ledger, "PROGRESS_EVERY", 2)
    make_entries(org, 5)
    err = StringIO()
    call_command("verify_ledger", stdout=StringIO(), stderr=err, no_color=True)
    assert "checked up to entry 2..." in err.getvalue()
    assert "checked up to entry 4..." in err.getvalue()
