"""Open a chat export on disk as a stream of text lines.

A plain `.txt` (UTF-8, UTF-8 with BOM, or UTF-16 with BOM) or a WhatsApp `.zip`
export holding the chat text. Reading is lazy: memory stays constant however
long the chat is.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from safeguarding.chatlogs.errors import ChatlogError

MAX_MEMBER_BYTES = 2 * 1024**3  # a million-line chat is a few hundred MB at most
MAX_COMPRESSION_RATIO = 100  # chat text compresses about 3-10 times; bombs far more
_SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL = frozenset(map(chr, [*range(9), 11, *range(14, 32), 127]))
_CHAT_MEMBER = re.compile(r"(?:^|/)(?:_chat\.txt|[^/]*WhatsApp[^/]*\.txt)$", re.I)


@contextmanager
def open_lines(path: str | Path) -> Iterator[Iterator[str]]:
    """Yield an iterator over the chat's lines, line endings included."""
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise ChatlogError(f"cannot open the export: {exc.strerror}") from exc
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
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
    encoding = _encoding(head)
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)
    return iter(text)


def _encoding(head: bytes) -> str:
    """Pick the codec from the BOM; refuse bytes that are not text at all."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head.decode("utf-8", errors="replace")
    # A few bad bytes are tolerated (they become U+FFFD); garbage is not.
    bad = sum(1 for char in sample if char == "\ufffd" or char in _CONTROL)
    if bad > len(sample) // 50:
        raise ChatlogError("the export is binary, not UTF-8 or UTF-16 text")
    return "utf-8-sig"
