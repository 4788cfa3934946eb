"""Open a chat export on disk as a stream of text lines.

A plain `.txt` (UTF-8, UTF-8 with BOM, UTF-16 with or without BOM, or a
Windows/Latin-1 export) or a WhatsApp `.zip` export holding the chat text.
Reading is lazy: memory stays constant however long the chat is. The file
may also come from an *opener*, a function returning a fresh binary file
object that can seek (SafeContact decrypts an upload waiting on disk so).

A file that is not text is refused with a reason, not read as text: the
signature of a known binary format, or NUL bytes (outside UTF-16), control
characters or bytes that fit no text encoding beyond a small share, at the
start or anywhere further on (each line is checked as it is read). A real
export may hold a stray NUL or two; that is not a reason to refuse it.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from safeguarding.chatlogs.errors import ChatlogError

# A path, or a function returning a fresh, seekable binary file (closed here).
Source = str | Path | Callable[[], IO[bytes]]

MAX_MEMBER_BYTES = 2 * 1024**3  # a million-line chat is a few hundred MB at most
MAX_COMPRESSION_RATIO = 100  # chat text compresses about 3-10 times; bombs far more
_SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_NOT_TEXT = dict.fromkeys(
    [*range(9), 11, *range(14, 27), *range(28, 32), *range(0x80, 0xA0), 0xFFFD]
)
_CHAT_MEMBER = re.compile(r"(?:^|/)(?:_chat\.txt|[^/]*WhatsApp[^/]*\.txt)$", re.I)
# A real export may hold a few bad bytes (a phone cut a character in two);
# more than this share of characters that are not text means binary.
BAD_SHARE = 0.01
_BAD_MINIMUM = 16  # ...and never for fewer bad characters than this
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"SQLite format 3\x00", "a database"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
    (b"OggS", "an audio file"),
    (b"ID3", "an audio file"),
    (b"RIFF", "an audio or video file"),
)


def open_binary(source: Source) -> IO[bytes]:
    """The source's bytes from the start; ``ChatlogError`` when it cannot open."""
    try:
        return source() if callable(source) else Path(source).open("rb")
    except OSError as exc:
        raise ChatlogError(f"cannot open the export: {exc.strerror}") from exc


@contextmanager
def open_lines(source: Source) -> Iterator[Iterator[str]]:
    """Yield an iterator over the chat's lines, line endings included."""
    raw = open_binary(source)
    with raw:
        if raw.read(4) == _ZIP_MAGIC:
            with _zip_member(raw) as member:
                yield _text_lines(member)
        else:
            raw.seek(0)
            yield _text_lines(raw)


@contextmanager
def _zip_member(raw: IO[bytes]) -> Iterator[IO[bytes]]:
    raw.seek(0)
    try:
        archive = zipfile.ZipFile(raw)
        info = _chat_member(archive)
        _check_size(info)
        with archive, archive.open(info) as member:
            yield member
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise ChatlogError("the zip export is corrupt") from exc
    except (NotImplementedError, RuntimeError) as exc:
        raise ChatlogError("the zip export is encrypted or uses an odd format") from exc


def _chat_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The chat text: `_chat.txt` (iOS) or `WhatsApp Chat with ….txt` (Android)."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    named = sorted(
        (info for info in members if _CHAT_MEMBER.search(info.filename)),
        key=lambda info: (not info.filename.endswith("_chat.txt"), info.filename),
    )
    if named:
        return named[0]
    texts = [info for info in members if info.filename.lower().endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    raise ChatlogError("the zip holds no WhatsApp chat text file")


def _check_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise ChatlogError("the chat file in the zip is too large")
    if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1) + 1024:
        raise ChatlogError("the chat file in the zip is compressed suspiciously well")


def _text_lines(raw: IO[bytes]) -> Iterator[str]:
    head = raw.read(_SNIFF_BYTES)
    encoding = sniff_encoding(head)
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)
    return _checked(text)


def _checked(lines: Iterable[str]) -> Iterator[str]:
    """The lines, refusing the file once it stops being text."""
    seen = bad = 0
    for line in lines:
        seen += len(line)
        bad += _bad(line)
        if bad > _BAD_MINIMUM and bad > BAD_SHARE * seen:
            raise ChatlogError("the file holds binary data, not text")
        yield line


def _bad(text: str) -> int:
    """Characters that are not text: control characters and U+FFFD."""
    return len(text) - len(text.translate(_NOT_TEXT))


def sniff_encoding(head: bytes) -> str:
    """The codec of a text file from its first bytes; ``ChatlogError`` when
    the bytes are not text (a known binary format, NUL bytes, control
    characters, or bytes that fit no text encoding beyond a small share)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            raise ChatlogError(f"the file is {name}, not a chat export or text")
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16:
            return utf16
        if head.count(0) > BAD_SHARE * len(head):
            raise ChatlogError("the file holds binary data (NUL bytes), not text")
    sample = _decode(head, "utf-8-sig")
    broken = sample.count("\ufffd")
    wide = sum(not c.isascii() for c in sample) - broken
    # UTF-8 with a character or two cut short is still UTF-8; bytes that only
    # Windows or Latin-1 explain (and no UTF-8 sequence at all) are theirs.
    if _bad(sample) <= BAD_SHARE * len(sample) and (not broken or wide > broken):
        return "utf-8-sig"
    for encoding in ("cp1252", "latin-1"):
        if _bad(_decode(head, encoding)) <= BAD_SHARE * len(head):
            return encoding
    raise ChatlogError("the file is binary, not UTF-8, UTF-16 or Latin-1 text")


def _decode(head: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(head)  # a character cut off at the end is left out


def _utf16_without_bom(head: bytes) -> str:
    """Text written as UTF-16 without a BOM has a NUL in every other byte."""
    even, odd = head[0::2], head[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros and zeros.count(0) >= 0.9 * len(zeros):
            return encoding
    return ""
