"""Uploads waiting for their audit are encrypted on disk, and read back only
whole and unchanged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from safecontact.audits.sealed import (
    CHUNK,
    MAGIC,
    SealedWriter,
    SealError,
    open_sealed,
    plain_size,
    seal_file,
)
from safeguarding.chatlogs import parse_file


def sealed_bytes(tmp_path: Path, data: bytes, pieces: int = 7) -> Path:
    path = tmp_path / "upload.sealed"
    writer = SealedWriter(path)
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):
        writer.write(data[start : start + step])
    writer.close()
    return path


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5]
)
def test_it_reads_back_exactly_what_was_written(tmp_path: Path, size: int) -> None:
    data = bytes(n * 7 % 251 for n in range(size))
    path = sealed_bytes(tmp_path, data)
    assert plain_size(path) == size
    with open_sealed(path) as plain:
        assert plain.read() == data
    assert path.stat().st_mode & 0o777 == 0o600


def test_it_seeks_like_a_file(tmp_path: Path) -> None:
    data = bytes(n % 256 for n in range(3 * CHUNK + 100))
    with open_sealed(sealed_bytes(tmp_path, data)) as plain:
        for where in (CHUNK * 2 + 10, 5, len(data) - 3, CHUNK - 1):
            plain.seek(where)
            assert plain.read(7) == data[where : where + 7]
        plain.seek(-10, io.SEEK_END)
        assert plain.read() == data[-10:]


def test_a_zip_export_is_read_through_the_seal(tmp_path: Path) -> None:
    archive = tmp_path / "chat.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(
            "_chat.txt",
            "".join(
                f"14/03/2026, 18:00 - Ann: hello {n * 7919}\n" for n in range(5000)
            ),
        )
    sealed = seal_file(archive, tmp_path / "chat.sealed")
    items = list(parse_file(lambda: open_sealed(sealed)))
    assert len(items) == 5000 and items[-1].sender == "Ann"  # type: ignore[union-attr]


def test_nothing_of_the_file_is_stored_in_the_clear(tmp_path: Path) -> None:
    line = b"14/03/2026, 18:00 - Secret Sender: a line only the Lead may read\n"
    path = sealed_bytes(tmp_path, line * 3000)
    stored = path.read_bytes()
    assert stored.startswith(MAGIC)
    assert b"Secret" not in stored and b"only the Lead" not in stored


def _records(path: Path) -> tuple[bytes, list[bytes]]:
    """The header and each record of a sealed file of full chunks."""
    body = path.read_bytes()[len(MAGIC) :]
    size = len(body) // 3
    return MAGIC, [body[n * size : (n + 1) * size] for n in range(3)]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda head, r: head + r[1] + r[0] + r[2], id="reordered"),
        pytest.param(lambda head, r: head + r[0] + r[1], id="last-chunk-dropped"),
        pytest.param(lambda head, r: head + r[0] + r[1] + r[2][:-5], id="cut-short"),
        pytest.param(
            lambda head, r: head + r[0] + r[1][:40] + b"x" + r[1][41:] + r[2],
            id="one-byte-changed",
        ),
        pytest.param(lambda head, r: b"not sealed" + r[0], id="not-sealed"),
        pytest.param(lambda head, r: head, id="empty"),
    ],
)
def test_a_changed_file_is_refused(tmp_path: Path, change: Any) -> None:
    path = sealed_bytes(tmp_path, b"x" * (3 * CHUNK))
    head, records = _records(path)
    path.write_bytes(change(head, records))
    with pytest.raises(SealError), open_sealed(path) as plain:
        plain.read()


def test_without_its_key_it_cannot_be_read(tmp_path: Path, settings: Any) -> None:
    path = sealed_bytes(tmp_path, b"hello")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with (
        pytest.raises(SealError, match="FIELD_ENCRYPTION_KEYS"),
        open_sealed(path) as f,
    ):
        f.read()


def test_an_old_key_still_reads_after_a_new_one_is_added(
    tmp_path: Path, settings: Any
) -> None:
    path = sealed_bytes(tmp_path, b"hello")
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    with open_sealed(path) as plain:
        assert plain.read() == b"hello"
