"""Scan a chat export or a text file for risk indicators and personal details.

A WhatsApp export ("Export chat", .txt or .zip) is read message by message with
its senders, so risk builds up per sender as it would in the gateway; any
other text file is read a line at a time as messages from one unnamed sender.
Files are streamed: memory stays flat on a file of millions of lines, and a
message or line longer than ``MAX_LINE_CHARS`` is scanned in pieces.

Binary files (a PDF, an image, a zip that is not an export, anything with NUL
bytes or too many bytes that are not text) are refused with the reason;
UTF-16 and Windows/Latin-1 text are decoded as such (``chatlogs.files``).
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from safeguarding.chatlogs import (
    ChatlogError,
    ChatMessage,
    UnparsedLine,
    parse_file,
    parse_lines,
)
from safeguarding.chatlogs.files import open_lines
from safeguarding.screening import ConversationRisk, Finding, RiskEvent, assess

BATCH = 4096
PEEK_LINES = 50  # enough to tell an export from other text
PLAIN_SENDER = "(text)"
MAX_LINE_CHARS = 100_000  # a longer "line" is split, so one line cannot exhaust memory


class ScanError(Exception):
    """The file cannot be scanned; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Message:
    line_no: int
    sender: str
    text: str


@dataclass(frozen=True, slots=True)
class MessageFindings:
    message: Message
    findings: tuple[Finding, ...]
    event: RiskEvent | None


@dataclass
class ScanSummary:
    kind: str  # "whatsapp" or "text"
    messages: int = 0
    unplaced_lines: int = 0
    by_indicator: Counter[str] = field(default_factory=Counter)
    events: list[RiskEvent] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)


def detect_kind(path: Path) -> str:
    """ "whatsapp" when the file's first lines read as a chat export, else
    "text"; ``ChatlogError`` when the file is not text at all."""
    with open_lines(path) as lines:
        items = list(parse_lines(itertools.islice(lines, PEEK_LINES)))
    placed = sum(not isinstance(item, UnparsedLine) for item in items)
    return "whatsapp" if placed and placed >= len(items) / 2 else "text"


def _whatsapp_messages(path: Path, summary: ScanSummary) -> Iterator[Message]:
    for item in parse_file(path):
        if isinstance(item, ChatMessage):
            for chunk in _pieces(item.text):
                yield Message(item.line_no, item.sender, chunk)
        elif isinstance(item, UnparsedLine):
            summary.unplaced_lines += 1


def _text_messages(path: Path) -> Iterator[Message]:
    with open_lines(path) as lines:
        for line_no, line in enumerate(lines, start=1):
            for chunk in _pieces(line.rstrip("\r\n")):
                if chunk.strip():
                    yield Message(line_no, PLAIN_SENDER, chunk)


def _pieces(text: str) -> Iterator[str]:
    for start in range(0, max(len(text), 1), MAX_LINE_CHARS):
        yield text[start : start + MAX_LINE_CHARS]


def scan_path(
    path: str | Path,
    *,
    kind: str = "auto",
    progress: Callable[[int], None] | None = None,
) -> tuple[Iterator[MessageFindings], ScanSummary]:
    """Findings message by message (only messages with findings or a risk rise),
    and a summary that is complete once the iterator is exhausted."""
    path = Path(path)
    if not path.is_file():
        raise ScanError(f"There is no file at {path}.")
    try:
        kind = detect_kind(path) if kind == "auto" else kind
    except ChatlogError as error:
        raise ScanError(
            f"This file cannot be read as a chat export or as text: {error}."
        ) from error
    summary = ScanSummary(kind=kind)
    source = (
        _whatsapp_messages(path, summary)
        if kind == "whatsapp"
        else _text_messages(path)
    )
    return _scan(source, summary, progress), summary


def _scan(
    source: Iterable[Message],
    summary: ScanSummary,
    progress: Callable[[int], None] | None,
) -> Iterator[MessageFindings]:
    risk = ConversationRisk()
    pending: deque[Message] = deque()

    def pairs() -> Iterator[tuple[str, str]]:
        for message in source:
            pending.append(message)
            yield message.sender, message.text

    try:
        for assessment in assess(pairs(), risk=risk, batch_size=BATCH):
            message = pending.popleft()
            summary.messages += 1
            summary.by_indicator.update(f.indicator for f in assessment.findings)
            if assessment.event is not None:
                summary.events.append(assessment.event)
            if assessment.findings or assessment.event is not None:
                yield MessageFindings(message, assessment.findings, assessment.event)
            if progress is not None and summary.messages % BATCH == 0:
                progress(summary.messages)
    except ChatlogError as error:
        raise ScanError(f"The file stopped being readable: {error}.") from error
    except UnicodeError as error:
        raise ScanError(f"The file is not text this tool can read: {error}") from error
    if progress is not None:
        progress(summary.messages)
    summary.levels = {
        event.sender: risk.level(event.sender).label for event in summary.events
    }
