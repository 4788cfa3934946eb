"""The uploaded export on its way to the audit: encrypted as it streams to
disk, never held whole in memory, deleted once read or refused."""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from safecontact.accounts.models import User
from safecontact.audits import services
from safecontact.audits.models import GroupAudit
from safecontact.audits.tests.exports import at, chat, ordinary, write_zip
from safecontact.groups.models import Group

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]
SECRET = "Secret Visitor"
TEXT = chat(
    [
        (at(18, 1), SECRET, "a line that must never be on disk in the clear"),
        (at(23, 0), SECRET, "another private line, written late at night"),
    ]
)


@pytest.fixture(autouse=True)
def _temp_dir(settings: Any, tmp_path: Path) -> None:
    # Anything Django might spill to a temporary file lands where we look.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()


def post(client: Client, group: Group, path: Path) -> Any:
    with path.open("rb") as export:
        return client.post(
            reverse("audits:upload"), {"group": str(group.code), "export": export}
        )


def files_under(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def plain_on_disk(folder: Path, text: str, skip: Path) -> list[str]:
    """Each line of ``text`` found in a file under ``folder`` (but ``skip``)."""
    lines = [line.encode() for line in text.splitlines()]
    found = []
    for path in files_under(folder):
        if path == skip:
            continue
        data = path.read_bytes()
        found += [f"{path.name}: {line!r}" for line in lines if line in data]
        found += [f"{path.name}: {SECRET}" for _ in [1] if SECRET.encode() in data]
    return found


def test_no_plaintext_of_the_export_is_on_disk_after_upload(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = tmp_path / "outside" / "chat.txt"
    source.parent.mkdir()
    source.write_text(TEXT, encoding="utf-8")
    response = post(client_for(lead), group, source)
    assert response.status_code == HTTPStatus.FOUND
    audit = GroupAudit.objects.get()
    waiting = Path(audit.upload_path)
    assert waiting.is_file() and waiting.stat().st_mode & 0o777 == 0o600
    assert plain_on_disk(tmp_path, TEXT, skip=source) == []
    # ...and the worker still reads it: decrypted as it goes.
    done = services.run_audit(audit.pk)
    assert done is not None and done.status == GroupAudit.Status.DONE
    assert {f.sender for f in done.findings.all()} == {SECRET}
    assert list(files_under(Path(settings.MEDIA_ROOT))) == []


def test_a_zip_export_is_read_through_the_encryption(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = write_zip(tmp_path / "chat.zip", TEXT)
    assert post(client_for(lead), group, source).status_code == HTTPStatus.FOUND
    done = services.run_audit(GroupAudit.objects.get().pk)
    assert done is not None and done.status == GroupAudit.Status.DONE
    assert done.messages_read == 2
    assert list(files_under(Path(settings.MEDIA_ROOT))) == []


def test_a_refused_upload_leaves_no_file(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Shopping list\nmilk\neggs\n")
    response = post(client_for(lead), group, source)
    assert response.status_code == HTTPStatus.OK
    assert "does not look like a WhatsApp export" in response.content.decode()
    assert not GroupAudit.objects.exists()
    assert list(files_under(Path(settings.MEDIA_ROOT))) == []


def test_a_failed_audit_deletes_the_waiting_file(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = tmp_path / "chat.txt"
    body = chat([(at(18, n % 60), "Sam", "hello") for n in range(3000)]).encode()
    source.write_bytes(body + b"\x01\x02\x03\x04" * 20_000)
    assert post(client_for(lead), group, source).status_code == HTTPStatus.FOUND
    done = services.run_audit(GroupAudit.objects.get().pk)
    assert done is not None and done.status == GroupAudit.Status.FAILED
    assert list(files_under(Path(settings.MEDIA_ROOT))) == []


def _multipart(path: Path, group: Group, export: Path) -> str:
    """A multipart body on disk, written a piece at a time; its boundary."""
    boundary = "SafeContactTestBoundary"
    with path.open("wb") as out:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="group"\r\n\r\n'
            f"{group.code}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="export"; filename="chat.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n".encode()
        )
        with export.open("rb") as source:
            for block in iter(lambda: source.read(1 << 16), b""):
                out.write(block)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return boundary


def _streamed_post(client: Client, group: Group, export: Path, tmp: Path) -> Any:
    """POST the export from a file, as a server hands the body to Django."""
    body = tmp / f"{export.name}.body"
    boundary = _multipart(body, group, export)
    with body.open("rb") as stream:
        environ: dict[str, Any] = {
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(body.stat().st_size),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        }
        return client.generic("POST", reverse("audits:upload"), **environ)


def _peak_upload(client: Client, group: Group, export: Path, tmp: Path) -> int:
    tracemalloc.start()
    try:
        response = _streamed_post(client, group, export, tmp)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == HTTPStatus.FOUND
    audit = GroupAudit.objects.latest("created_at")
    assert audit.size_bytes == export.stat().st_size
    return peak


def test_the_upload_streams_in_bounded_memory(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    """Exports of about 1 and 4.5 MB through the upload view: the memory it
    takes stays under a small limit and does not grow with the file (a 100 MB
    export is measured in ``make bench``)."""
    settings.AUDIT_UPLOAD_MAX_BYTES = 50 * 1024 * 1024
    client = client_for(lead)
    exports = []
    for name, count in (("warm", 50), ("one", 16_000), ("five", 80_000)):
        exports.append(tmp_path / f"{name}.txt")
        exports[-1].write_text("".join(ordinary(count, ("Ann", "Bob"))))
    assert exports[2].stat().st_size > 4 * exports[1].stat().st_size > 3_000_000
    # The first request imports and caches what any request needs.
    assert _streamed_post(client, group, exports[0], tmp_path).status_code == 302
    one = _peak_upload(client, group, exports[1], tmp_path)
    five = _peak_upload(client, group, exports[2], tmp_path)
    assert five < 2 * 1024 * 1024, f"{five / 1024:.0f} KiB for 5 MB"
    assert five < one + 256 * 1024, f"{one / 1024:.0f} then {five / 1024:.0f} KiB"


def test_purge_removes_upload_files_left_behind(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = tmp_path / "chat.txt"
    source.write_text(TEXT, encoding="utf-8")
    post(client_for(lead), group, source)
    waiting = Path(GroupAudit.objects.get().upload_path)
    stray = waiting.with_name("incoming-cut-off.sealed")
    stray.write_bytes(b"left by a request that never finished")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (waiting, stray):
        os.utime(path, (two_days_ago, two_days_ago))
    call_command("purge_group_audits", verbosity=0)
    assert stray.exists()
    call_command("purge_group_audits", "--apply", verbosity=0)
    assert not stray.exists() and waiting.exists()  # its audit still reads it


def test_an_upload_with_a_form_error_leaves_no_file(
    lead: User, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = tmp_path / "chat.txt"
    source.write_text(TEXT, encoding="utf-8")
    with source.open("rb") as export:
        response = client_for(lead).post(
            reverse("audits:upload"), {"group": "", "export": export}
        )
    assert response.status_code == HTTPStatus.OK
    assert "Which group is this chat?" in response.content.decode()
    assert list(files_under(Path(settings.MEDIA_ROOT))) == []


def test_an_upload_stopped_at_the_limit_leaves_no_file(
    lead: User, group: Group, client_for: Clients, tmp_path: Path, settings: Any
) -> None:
    source = tmp_path / "big.txt"
    source.write_text("".join(ordinary(20_000, ("Ann", "Bob"))))
    # Within the allowance for the form around the file, so the body is read:
    # the handler stops it part way, with some of it already encrypted.
    settings.AUDIT_UPLOAD_MAX_BYTES = source.stat().st_size - 10_000
    response = _streamed_post(client_for(lead), group, source, tmp_path)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert not GroupAudit.objects.exists()
    assert list(files_under(Path(settings.MEDIA_ROOT))) == []
