"""Rotating the case-file keys also seals again the uploads still waiting for
their audit, and re-encrypts the audits' own file names and findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from safecontact.accounts.models import User
from safecontact.audits import services
from safecontact.audits.models import AuditFinding, GroupAudit
from safecontact.audits.sealed import SealError, open_sealed
from safecontact.audits.tests.exports import at, chat, sealed, write
from safecontact.concerns.rotation import UPLOADS, rotate_case_keys
from safecontact.groups.models import Group

pytestmark = pytest.mark.django_db

# Our own made-up chat: a stranger in the group, late at night.
TEXT = chat(
    [
        (at(18, 5), "Stranger Danger", "hi all"),
        (at(23, 30), "Stranger Danger", "anyone still up"),
    ]
)


def waiting_audit(lead: User, group: Group, tmp_path: Path) -> GroupAudit:
    path = write(tmp_path / "Youth chat.txt", TEXT)
    return services.start_audit(
        actor=lead, group=group, upload=sealed(path), file_name=path.name
    )


def test_an_upload_waiting_for_its_audit_is_readable_after_rotation_only_with_the_new_key(
    lead: User, group: Group, tmp_path: Path, settings: Any
) -> None:
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    done = services.run_audit(waiting_audit(lead, group, tmp_path).pk)
    assert done is not None and done.findings.exists()
    audit = waiting_audit(lead, group, tmp_path)
    upload = Path(audit.upload_path)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]

    counts = rotate_case_keys(apply=False)
    assert counts[UPLOADS] == 1
    assert counts["audits.GroupAudit"] == 2  # both audits' file names
    assert counts["audits.AuditFinding"] == done.findings.count()
    rotate_case_keys(apply=True)
    assert not any(rotate_case_keys(apply=False).values())

    settings.FIELD_ENCRYPTION_KEYS = old_keys  # the old key cannot read it now
    with pytest.raises(SealError), open_sealed(upload) as plain:
        plain.read()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    finished = services.run_audit(audit.pk)
    assert finished is not None and finished.status == GroupAudit.Status.DONE
    assert finished.file_name == "Youth chat.txt"
    assert finished.messages_read == 2
    assert {f.sender for f in AuditFinding.objects.all()} == {"Stranger Danger"}
    assert not upload.exists()


def test_an_upload_that_cannot_be_read_stops_the_rotation_and_says_so(
    lead: User, group: Group, tmp_path: Path, settings: Any
) -> None:
    audit = waiting_audit(lead, group, tmp_path)
    upload = Path(audit.upload_path)
    upload.write_bytes(upload.read_bytes()[:-10])  # cut short
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    with pytest.raises(CommandError, match=f"audit {audit.code}.*cut short"):
        call_command("rotate_case_keys", "--apply")
    # Nothing in the database moved to the new key.
    assert rotate_case_keys(apply=False)["audits.GroupAudit"] == 1


def test_uploads_are_sealed_again_outside_the_rotations_transaction(
    lead: User, group: Group, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from django.db import connection

    from safecontact.concerns import rotation

    upload = Path(waiting_audit(lead, group, tmp_path).upload_path)
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    depth = []
    write_beside = rotation.reseal_beside

    def sealing(path: Path) -> Path:
        depth.append(len(connection.savepoint_ids))
        return write_beside(path)

    monkeypatch.setattr(rotation, "reseal_beside", sealing)
    before = len(connection.savepoint_ids)
    rotate_case_keys(apply=True)
    # No transaction (so no write lock) was open while the file was written.
    assert depth == [before]
    assert not any(rotate_case_keys(apply=False).values())
    assert upload.is_file()
    assert not list(upload.parent.glob("*.resealing"))


def test_an_audit_that_finishes_while_its_upload_is_sealed_again_leaves_no_file(
    lead: User, group: Group, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from safecontact.concerns import rotation

    audit = waiting_audit(lead, group, tmp_path)
    upload = Path(audit.upload_path)
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    write_beside = rotation.reseal_beside

    def finish_meanwhile(path: Path) -> Path:
        new = write_beside(path)
        services.run_audit(audit.pk)  # the worker finishes, deletes its file
        return new

    monkeypatch.setattr(rotation, "reseal_beside", finish_meanwhile)
    assert rotate_case_keys(apply=True)[UPLOADS] == 1
    audit.refresh_from_db()
    assert audit.status == GroupAudit.Status.DONE
    assert not upload.exists()
    assert not list(upload.parent.glob("*.resealing"))


def test_a_rotation_stopped_while_sealing_again_does_not_block_the_next(
    lead: User, group: Group, tmp_path: Path, settings: Any
) -> None:
    audit = waiting_audit(lead, group, tmp_path)
    upload = Path(audit.upload_path)
    # What a run stopped part-way leaves beside the upload.
    upload.with_name(upload.name + ".resealing").write_bytes(b"half a file")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_case_keys", "--apply")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with open_sealed(upload) as plain:
        assert plain.read()
    assert not upload.with_name(upload.name + ".resealing").exists()


def test_an_upload_gone_before_it_is_read_is_no_longer_waiting(
    lead: User, group: Group, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from safecontact.concerns import rotation

    audit = waiting_audit(lead, group, tmp_path)
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    def finished_meanwhile(path: Path) -> bool:
        Path(audit.upload_path).unlink()  # the audit ends between the checks
        raise FileNotFoundError(path)

    monkeypatch.setattr(rotation, "on_newest_key", finished_meanwhile)
    assert rotate_case_keys(apply=True)[UPLOADS] == 0
