"""Bad exports get a clear message and leave nothing half-saved."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from safecontact.accounts.models import User
from safecontact.audits import services
from safecontact.audits.models import AuditFinding, GroupAudit, SeenMessage
from safecontact.audits.tests.exports import at, chat, sealed, write, write_zip
from safecontact.groups.models import Group

pytestmark = pytest.mark.django_db


def refused(lead: User, group: Group, path: Path) -> str:
    with pytest.raises(services.AuditError) as error:
        services.start_audit(
            actor=lead, group=group, upload=sealed(path), file_name="x"
        )
    assert not GroupAudit.objects.exists()
    return str(error.value)


def failed(lead: User, group: Group, path: Path) -> str:
    """Accepted at upload, failed by the worker with nothing saved: why."""
    audit = services.start_audit(
        actor=lead, group=group, upload=sealed(path), file_name="c"
    )
    done = services.run_audit(audit.pk)
    assert done is not None and done.status == GroupAudit.Status.FAILED
    assert not AuditFinding.objects.exists() and not SeenMessage.objects.exists()
    return done.error


def test_a_corrupt_zip_is_refused(lead: User, group: Group, tmp_path: Path) -> None:
    path = write_zip(tmp_path / "chat.zip", chat([(at(18), "A", "hello")] * 50))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "corrupt" in refused(lead, group, path)


def test_a_zip_bomb_is_refused(lead: User, group: Group, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", b"\n" * 50_000_000)
    assert "suspiciously" in refused(lead, group, path)


def test_a_binary_file_is_refused(lead: User, group: Group, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    assert "PNG" in refused(lead, group, path)


def test_text_that_is_not_an_export_is_refused(
    lead: User, group: Group, tmp_path: Path
) -> None:
    path = write(tmp_path / "notes.txt", "Shopping list\nmilk\neggs\n")
    assert "does not look like a WhatsApp export" in refused(lead, group, path)


def test_an_empty_file_is_refused(lead: User, group: Group, tmp_path: Path) -> None:
    assert "WhatsApp export" in refused(lead, group, write(tmp_path / "e.txt", ""))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252"])
def test_other_encodings_are_read(
    lead: User, group: Group, tmp_path: Path, encoding: str
) -> None:
    text = chat([(at(23), "Zoë Stranger", "café tonight?")])
    path = write(tmp_path / "chat.txt", text, encoding)
    audit = services.start_audit(
        actor=lead, group=group, upload=sealed(path), file_name="c"
    )
    done = services.run_audit(audit.pk)
    assert done is not None and done.status == GroupAudit.Status.DONE
    assert {f.sender for f in done.findings.all()} == {"Zoë Stranger"}


def test_an_export_with_no_messages_saves_nothing(
    lead: User, group: Group, tmp_path: Path
) -> None:
    # Only system lines: it reads as an export, but nobody wrote anything.
    text = "".join(
        f"14/03/2026, 18:0{n} - Messages and calls are end-to-end encrypted.\n"
        for n in range(5)
    )
    audit = services.start_audit(
        actor=lead,
        group=group,
        upload=sealed(write(tmp_path / "c.txt", text)),
        file_name="c",
    )
    done = services.run_audit(audit.pk)
    assert done is not None and done.status == GroupAudit.Status.FAILED
    assert "no messages" in done.error
    assert not AuditFinding.objects.exists() and not SeenMessage.objects.exists()


def test_a_file_that_turns_binary_part_way_saves_nothing(
    lead: User, group: Group, tmp_path: Path
) -> None:
    text = chat([(at(18, n % 60), "Sam", "hello") for n in range(3000)])
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode() + b"\x01\x02\x03\x04" * 20_000)
    assert "binary" in failed(lead, group, path)


def test_a_zip_damaged_part_way_fails_plainly_and_saves_nothing(
    lead: User, group: Group, tmp_path: Path
) -> None:
    # The chat's first lines read, so the upload is accepted; the damage is
    # found by the worker (a checksum or inflate error), which saves nothing.
    rows = [
        (at(18, n % 60), f"Sender {n % 7}", f"message number {n * 7919}")
        for n in range(20_000)
    ]
    path = write_zip(tmp_path / "chat.zip", chat(rows))
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    assert "stopped being readable" in failed(lead, group, path)


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [("utf-32", "binary data"), ("cp037", "does not look like a WhatsApp export")],
)
def test_an_encoding_we_cannot_read_is_refused(
    lead: User, group: Group, tmp_path: Path, encoding: str, reason: str
) -> None:
    text = chat([(at(18, n), "Ann", f"hello {n}") for n in range(9)])
    assert reason in refused(lead, group, write(tmp_path / "c.txt", text, encoding))


def test_a_zip_whose_checksum_fails_fails_plainly_and_saves_nothing(
    lead: User, group: Group, tmp_path: Path
) -> None:
    text = chat([(at(18, n % 60), "Ann", f"hello number {n}") for n in range(3000)])
    path = tmp_path / "chat.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("_chat.txt", text)
    data = path.read_bytes()
    changed = data.replace(b"hello number 2999", b"HELLO number 2999")
    path.write_bytes(changed)
    assert "stopped being readable" in failed(lead, group, path)
