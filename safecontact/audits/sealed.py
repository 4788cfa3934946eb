"""Uploaded exports, encrypted on disk while they wait for their audit.

A chat export holds everything a group said, so it is never written to disk
in the clear: the upload handler encrypts it as it arrives, a chunk at a
time, with the case-file keys (``concerns.crypto``, Fernet, newest key
first), and the worker decrypts it a chunk at a time as it reads. Memory
stays at a chunk or two whatever the size of the file.

The file: ``MAGIC``, then one record per ``CHUNK`` bytes of the export (the
last one shorter, possibly empty). A record is the token's length and the
plain chunk's length (4 bytes each), then the Fernet token (raw bytes, not
base64). Inside each token the chunk's number and a last-chunk flag come
first, so chunks cannot be reordered, dropped or cut off unnoticed. Every
chunk but the last has the same size, so chunk ``i`` is found by arithmetic:
the reader can seek, which a zip export needs.
"""

from __future__ import annotations

import base64
import io
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import IO

from safecontact.concerns.crypto import (
    DecryptionError,
    decrypt_bytes,
    encrypt_bytes,
    is_on_newest_key,
)
from safeguarding.chatlogs import ChatlogError

MAGIC = b"SafeContact sealed upload 1\n"
CHUNK = 64 * 1024
_RECORD = struct.Struct(">II")  # token length, plain length
_INNER = struct.Struct(">QB")  # chunk number, 1 on the last chunk
# Fernet's raw token: version, time, IV, AES-CBC with PKCS7 padding, HMAC.
_FERNET_OVERHEAD = 1 + 8 + 16 + 32


class SealError(ChatlogError):
    """A sealed upload cannot be read back: changed, cut short, or its key is gone."""


def _token_size(plain: int) -> int:
    return _FERNET_OVERHEAD + ((_INNER.size + plain) // 16 + 1) * 16


_FULL_RECORD = _RECORD.size + _token_size(CHUNK)


class SealedWriter:
    """Encrypts what is written to ``path`` (created, mode 0600, never replaced)."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._file.write(MAGIC)
        self._buffer = bytearray()
        self._count = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        # Keep at least one byte back: the last record is written by close().
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        if self._file.closed:
            return
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._file.close()

    def abandon(self) -> None:
        self._file.close()

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        token = encrypt_bytes(_INNER.pack(self._count, last) + chunk)
        raw = base64.urlsafe_b64decode(token)
        self._file.write(_RECORD.pack(len(raw), len(chunk)) + raw)
        self._count += 1


class SealedReader(io.RawIOBase):
    """The plain bytes of a sealed file, decrypted a chunk at a time; seekable."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = path.open("rb")
        try:
            self._chunks, self.size = self._layout()
        except BaseException:
            self._file.close()
            raise
        self._pos = 0
        self._cached: tuple[int, bytes] = (-1, b"")

    def _layout(self) -> tuple[int, int]:
        if self._file.read(len(MAGIC)) != MAGIC:
            raise SealError("the waiting upload is not a sealed file")
        body = os.fstat(self._file.fileno()).st_size - len(MAGIC)
        full, rest = divmod(body, _FULL_RECORD)
        # The last record may be as long as a full one (padding rounds up).
        chunks = full + 1 if rest else full
        if chunks == 0:
            raise SealError("the waiting upload is empty: it was cut short")
        self._file.seek(len(MAGIC) + (chunks - 1) * _FULL_RECORD)
        token_size, plain = _RECORD.unpack(self._read_exactly(_RECORD.size))
        if (
            plain > CHUNK
            or token_size != _token_size(plain)
            or (rest or _FULL_RECORD) != _RECORD.size + token_size
        ):
            raise SealError("the waiting upload was changed or cut short")
        return chunks, (chunks - 1) * CHUNK + plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}
        self._pos = max(0, base[whence] + offset)
        return self._pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._pos >= self.size:
            return 0
        number, offset = divmod(self._pos, CHUNK)
        chunk = self._chunk(number)
        piece = chunk[offset : offset + len(buffer)]
        buffer[: len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

    def close(self) -> None:
        self._file.close()
        super().close()

    def _chunk(self, number: int) -> bytes:
        if self._cached[0] != number:
            self._cached = (number, self._decrypt(number))
        return self._cached[1]

    def _decrypt(self, number: int) -> bytes:
        self._file.seek(len(MAGIC) + number * _FULL_RECORD)
        token_size, plain = _RECORD.unpack(self._read_exactly(_RECORD.size))
        raw = self._read_exactly(token_size)
        try:
            inner = decrypt_bytes(base64.urlsafe_b64encode(raw))
        except DecryptionError as error:
            raise SealError(
                "the waiting upload cannot be decrypted: its key is no longer in "
                "FIELD_ENCRYPTION_KEYS, or the file was changed"
            ) from error
        found, last = _INNER.unpack_from(inner)
        chunk = inner[_INNER.size :]
        if (found, bool(last), len(chunk)) != (
            number,
            number == self._chunks - 1,
            plain,
        ):
            raise SealError("the waiting upload was changed or cut short")
        return chunk

    def _read_exactly(self, size: int) -> bytes:
        data = self._file.read(size)
        if len(data) != size:
            raise SealError("the waiting upload was cut short")
        return data


def open_sealed(path: Path) -> IO[bytes]:
    """The plain export, buffered; for ``parse_file`` and ``zipfile``."""
    return io.BufferedReader(SealedReader(path), buffer_size=CHUNK)


def seal_file(source: Path, target: Path) -> Path:
    """Encrypt the file at ``source`` into ``target``, streaming."""
    return _seal_into(target, lambda: source.open("rb"))


def _seal_into(target: Path, open_plain: Callable[[], IO[bytes]]) -> Path:
    """Seal what ``open_plain`` reads into ``target`` with the newest key;
    on any failure no part of ``target`` is left."""
    writer = SealedWriter(target)
    try:
        with open_plain() as plain:
            for block in iter(lambda: plain.read(CHUNK), b""):
                writer.write(block)
    except BaseException:
        writer.abandon()
        target.unlink(missing_ok=True)
        raise
    writer.close()
    return target


def plain_size(path: Path) -> int:
    with SealedReader(path) as reader:
        return reader.size


def on_newest_key(path: Path) -> bool:
    """Whether the sealed file at ``path`` was sealed with the newest key (its
    first chunk's token is read: a file is sealed with one key throughout)."""
    with path.open("rb") as sealed:
        if sealed.read(len(MAGIC)) != MAGIC:
            raise SealError("the waiting upload is not a sealed file")
        header = sealed.read(_RECORD.size)
        if len(header) != _RECORD.size:
            raise SealError("the waiting upload was cut short")
        token_size, _ = _RECORD.unpack(header)
        raw = sealed.read(token_size)
    return is_on_newest_key(base64.urlsafe_b64encode(raw))


def reseal_beside(path: Path) -> Path:
    """Seal the file at ``path`` again with the newest key into a new file
    beside it, and return the new file's path; the caller moves it over the
    old one (``os.replace``) or deletes it. Raises ``SealError`` if the old
    one cannot be read (and leaves no new file)."""
    target = path.with_name(path.name + ".resealing")
    # Left by a run that was stopped part-way: never the live file.
    target.unlink(missing_ok=True)
    return _seal_into(target, lambda: open_sealed(path))
