"""Hypothesis against the WhatsApp export parser: any text or file is read
without a crash; a file that is not an export fails with ChatlogError only."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from safecontact.tests.fuzzing import fuzz
from safeguarding.chatlogs import ChatlogError, UnparsedLine, parse_file, parse_text
from safeguarding.chatlogs.whatsapp import ChatEvent, ChatMessage

MARKS = "\u200e\u200f\u202f\u00a0\ufeff"
numbers = st.integers(min_value=0, max_value=99999).map(str)
small = st.integers(min_value=0, max_value=99).map(str)
words = st.text(st.characters(codec="utf-8"), max_size=20)
seps = st.sampled_from(["/", ".", "-", "", "\u2013", " ", MARKS[0]])
ampm = st.sampled_from(["", " PM", " am", "\u202fp. m.", " 午後", " nachm.", " ص"])


@st.composite
def header(draw: st.DrawFn) -> str:
    """A line shaped like a WhatsApp header, its fields often out of range."""
    date = draw(small) + draw(seps) + draw(small) + draw(seps) + draw(numbers)
    time = draw(small) + draw(st.sampled_from([":", "."])) + draw(small) + draw(ampm)
    sender = draw(words)
    text = draw(words)
    shapes = [
        f"{date}, {time} - {sender}: {text}",
        f"[{date}, {time}] {sender}: {text}",
        f"[{time}, {date}] {sender}: {text}",
        f"{draw(small)} {draw(st.sampled_from(['Dec', 'mär', 'x']))} {draw(numbers)}, {time} - {text}",
        f"{draw(st.sampled_from(MARKS))}{date} {time} - {text}",
    ]
    return draw(st.sampled_from(shapes))


lines = st.lists(st.one_of(header(), words), max_size=15)
newlines = st.sampled_from(["\n", "\r\n", "\r"])


def _check(items: Sequence[object], count: int) -> None:
    for item in items:
        assert isinstance(item, ChatMessage | ChatEvent | UnparsedLine)
        assert 1 <= item.line_no <= max(count, 1)


@fuzz(150)
@given(lines, newlines)
def test_any_text_parses_without_a_crash(rows: list[str], newline: str) -> None:
    text = newline.join(rows)
    _check(list(parse_text(text)), text.count("\n") + text.count("\r") + 1)


@fuzz(150)
@given(st.binary(max_size=2000) | lines.map(lambda r: "\n".join(r).encode("utf-16")))
def test_a_file_of_any_bytes_parses_or_fails_with_chatlog_error(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(data)
    try:
        items = list(parse_file(path))
    except ChatlogError:
        return
    _check(items, data.count(b"\n") + data.count(b"\r") + 1)


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        names = ["_chat.txt", "a.txt", "WhatsApp Chat.txt", "x/"]
        for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=3)):
            archive.writestr(name, draw(st.binary(max_size=300)))
    data = buffer.getvalue()
    cut = draw(st.integers(0, len(data)))
    return data if draw(st.booleans()) else data[:cut]


@fuzz(150)
@given(zips())
def test_a_zip_of_any_content_parses_or_fails_with_chatlog_error(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    with contextlib.suppress(ChatlogError):
        list(parse_file(path))
