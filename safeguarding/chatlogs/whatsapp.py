"""Parse WhatsApp "Export chat" text into messages, events and unplaced lines.

A line that starts with a timestamp header opens a new item; any other line
continues the item before it. A line that cannot be placed (text before the
first header, or a header whose date cannot exist) comes back as an
`UnparsedLine`, never silently dropped. Timestamps are naive, as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Literal

from safeguarding.chatlogs.errors import ChatlogError
from safeguarding.chatlogs.files import Source, open_lines
from safeguarding.chatlogs.phrases import (
    EventKind,
    attachment_name,
    classify_system,
    is_deleted,
    is_media_placeholder,
)

DateOrder = Literal["DMY", "MDY", "YMD"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    line_no: int  # 1-based, the header line of the message
    timestamp: datetime
    sender: str
    text: str  # continuation lines joined with "\n"
    media: bool = False  # an attachment was sent (kept or left out of the export)
    attachment: str | None = None  # its file name when the export names it


@dataclass(frozen=True, slots=True)
class ChatEvent:
    line_no: int
    timestamp: datetime
    kind: EventKind
    actor: str | None
    target: str | None
    raw: str  # the line after its timestamp, continuation lines included


@dataclass(frozen=True, slots=True)
class UnparsedLine:
    line_no: int
    raw: str


ChatItem = ChatMessage | ChatEvent | UnparsedLine

# How many lines parse_lines may hold back while it looks for a date that
# settles day/month order; past it, the order falls back to a default.
LOOKAHEAD_LINES = 20_000

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_M = f"[{_MARKS}]*"
_SP = "[ \u00a0\u202f]"
# A locale's AM/PM word: "PM", "p. m.", "a.m.", "nachm.", "午後", "ص" ...
_AP_REST = r"[^\s\d\[\]\-\u2013,:]"
_AP = rf"[^\W\d_]{_AP_REST}{{0,11}}(?:[ \u00a0\u202f][^\W\d_]{_AP_REST}{{0,3}})?"
_DATE = (
    rf"(?P<d1>\d{{1,4}}){_M}[./\-]{_M}(?P<d2>\d{{1,2}}){_M}[./\-]{_M}"
    rf"(?P<era>[A-Z])?(?P<d3>\d{{1,4}})(?P<be>{_SP}?BE)?\.?"
)
_TIME = (
    rf"(?:(?P<ap0>{_AP}){_SP}?)?(?P<h>\d{{1,2}})[:.](?P<mi>\d{{2}})"
    rf"(?:[:.](?P<s>\d{{2}}))?(?:{_SP}*(?P<ap>{_AP}))?"
)
_DT_SEP = rf"{_M}[,\u060c]?{_SP}*{_M}"
_MONTH = r"(?P<mon>[^\W\d_]{3,10})\.?"
_YEAR = rf"(?:,?{_SP}(?P<d3>\d{{4}}))?"
_ANDROID_SEP = rf"(?:{_SP}*{_M}[-\u2013]{_SP}|:{_SP})"
# "31 Dec 2020, 21:05 - ", "Dec 31, 9:05 PM - ", "21:05, 31 Dec - ": some
# phones spell the month and leave out the year of the current year.
_NAMED_DAY_FIRST = re.compile(
    rf"{_M}(?P<d1>\d{{1,2}})\.?{_SP}{_MONTH}{_YEAR}{_DT_SEP}{_TIME}{_ANDROID_SEP}"
    r"(?P<rest>.*)"
)
_NAMED_MONTH_FIRST = re.compile(
    rf"{_M}{_MONTH}{_SP}(?P<d1>\d{{1,2}}){_YEAR}{_DT_SEP}{_TIME}{_ANDROID_SEP}"
    r"(?P<rest>.*)"
)
_NAMED_TIME_FIRST = re.compile(
    rf"{_M}{_TIME},{_SP}(?P<d1>\d{{1,2}})\.?{_SP}{_MONTH}{_YEAR}{_ANDROID_SEP}"
    r"(?P<rest>.*)"
)
_NAMED = (_NAMED_DAY_FIRST, _NAMED_MONTH_FIRST, _NAMED_TIME_FIRST)
_MONTHS = {
    name: number
    for names in (
        "jan feb mar apr may jun jul aug sep oct nov dec",  # English
        "january february march april may june july august september october"
        " november december",
        "jan feb mär apr mai jun jul aug sep okt nov dez",  # German
        "janv févr mars avr mai juin juil août sept oct nov déc",  # French
        "ene feb mar abr may jun jul ago sept oct nov dic",  # Spanish
        "gen feb mar apr mag giu lug ago set ott nov dic",  # Italian
        "jan fev mar abr mai jun jul ago set out nov dez",  # Portuguese
        "jan feb mrt apr mei jun jul aug sep okt nov dec",  # Dutch
    )
    for number, name in enumerate(names.split(), 1)
}
#: Year given to dates written without one (a leap year WhatsApp never saw).
YEAR_NOT_WRITTEN = 1904
_ANDROID = re.compile(rf"{_M}{_DATE}{_DT_SEP}{_TIME}{_ANDROID_SEP}(?P<rest>.*)")
_IOS = re.compile(rf"{_M}\[{_M}{_DATE}{_DT_SEP}{_TIME}{_M}\]{_SP}?(?P<rest>.*)")
_IOS_TIME_FIRST = re.compile(
    rf"{_M}\[{_M}{_TIME}{_DT_SEP}{_DATE}{_M}\]{_SP}?(?P<rest>.*)"
)

_AM = frozenset(
    {"am", "a", "vorm", "午前", "上午", "오전", "sa", "ص", "fm", "πμ", "öö"}
)
_AM |= {"ap", "पूर्वाह्न", "ก่อนเที่ยง", "เช้า"}
_PM = frozenset(
    {"pm", "p", "nachm", "午後", "下午", "오후", "ch", "م", "em", "μμ", "ös"}
)
_PM |= {"ip", "अपराह्न", "หลังเที่ยง", "บ่าย"}
_SENDER_MAX = 80
_CACHE_MAX = 4096


def parse_text(text: str, *, date_order: DateOrder | None = None) -> Iterator[ChatItem]:
    """Parse a whole export held in memory (CRLF, CR and LF all end a line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return parse_lines(lines, date_order=date_order)


def parse_file(
    path: Source, *, date_order: DateOrder | None = None
) -> Iterator[ChatItem]:
    """Parse a `.txt` or `.zip` export lazily, in constant memory.

    ``path`` may also be an opener (``files.Source``): it is called each time
    the file is read from the start.

    Raises ChatlogError at once for a file that is not a readable export. To
    settle day/month order it reads ahead until a deciding date, at worst the
    whole file, keeping nothing.
    """
    if date_order is None:
        with open_lines(path) as lines:
            _, date_order = sniff_date_order(lines)
    else:
        with open_lines(path):
            pass  # fail now, not on first iteration
    return _parse_path(path, date_order)


def _parse_path(path: Source, date_order: DateOrder) -> Iterator[ChatItem]:
    with open_lines(path) as lines:
        yield from _Parser(date_order).run(lines)


def parse_lines(
    lines: Iterable[str], *, date_order: DateOrder | None = None
) -> Iterator[ChatItem]:
    """Parse export lines lazily; trailing newlines on each line are ignored.

    With no `date_order`, the first date whose day is above 12 settles it for
    the whole input (looking ahead at most LOOKAHEAD_LINES lines).
    """
    source: Iterable[str] = lines
    if date_order is None:
        iterator = iter(lines)
        head, date_order = sniff_date_order(iterator, limit=LOOKAHEAD_LINES)
        source = chain(head, iterator)
    return _Parser(date_order).run(source)


def sniff_date_order(
    lines: Iterator[str], *, limit: int | None = None
) -> tuple[list[str], DateOrder]:
    """Read until a date settles day/month order; return the lines read and it.

    Lines read are kept only when `limit` is given (so they can be replayed).
    """
    head: list[str] = []
    default: DateOrder | None = None
    for count, line in enumerate(lines, 1):
        if limit is not None:
            head.append(line)
        match = _match_header(line)
        if match is not None:
            order = _decisive_order(match)
            if order is not None:
                return head, order
            default = default or _default_order(match)
        if limit is not None and count >= limit:
            break
    return head, default or "DMY"


def _match_header(line: str) -> re.Match[str] | None:
    start = line.lstrip(_MARKS)[:3]
    if start[:1] == "[":
        return _IOS.match(line) or _IOS_TIME_FIRST.match(line)
    if start[:1].isdigit():
        return (
            _ANDROID.match(line)
            or _NAMED_DAY_FIRST.match(line)
            or _NAMED_TIME_FIRST.match(line)
        )
    if start.lower() in _MONTHS:
        return _NAMED_MONTH_FIRST.match(line)
    return None


def _decisive_order(match: re.Match[str]) -> DateOrder | None:
    if match.re in _NAMED:
        return None
    d1, d2 = match.group("d1"), match.group("d2")
    if len(d1) > 2:
        return None  # year first on this line: says nothing about the others
    if int(d1) > 12:
        return "DMY"
    if int(d2) > 12:
        return "MDY"
    return None


def _default_order(match: re.Match[str]) -> DateOrder:
    """Undecidable files: US style only for slashed dates on a 12-hour clock."""
    if match.re in _NAMED:
        return "DMY"
    slashed = "/" in match.string[match.start("d1") : match.end("d2")]
    twelve_hour = bool(match.group("ap") or match.group("ap0"))
    return "MDY" if slashed and twelve_hour else "DMY"


class _Parser:
    """Turns lines into items, holding back one item until its last line is seen."""

    def __init__(self, date_order: DateOrder) -> None:
        self.date_order = date_order
        self.cache: dict[str, datetime | None] = {}

    def run(self, lines: Iterable[str]) -> Iterator[ChatItem]:
        pending: tuple[int, datetime, str] | None = None
        extra: list[str] = []
        for line_no, raw in enumerate(lines, 1):
            line = raw.rstrip("\r\n")
            match = _match_header(line)
            if match is None:
                if pending is None:
                    yield UnparsedLine(line_no, line)
                else:
                    extra.append(line)
                continue
            timestamp = self._timestamp(match)
            if timestamp is None:
                if pending is None:
                    yield UnparsedLine(line_no, line)
                else:  # quoted text that only looks like a header
                    extra.append(line)
                continue
            if pending is not None:
                yield _build(*pending, extra)
                extra = []
            pending = (line_no, timestamp, match.group("rest"))
        if pending is not None:
            yield _build(*pending, extra)

    def _timestamp(self, match: re.Match[str]) -> datetime | None:
        key = match.string[: match.start("rest")]
        try:
            return self.cache[key]
        except KeyError:
            pass
        if len(self.cache) >= _CACHE_MAX:
            self.cache.clear()
        timestamp = self.cache[key] = _to_datetime(match, self.date_order)
        return timestamp


def _to_datetime(match: re.Match[str], order: DateOrder) -> datetime | None:
    if match.re in _NAMED:
        day, year = int(match.group("d1")), int(match.group("d3") or YEAR_NOT_WRITTEN)
        month = _MONTHS.get(match.group("mon").lower(), 0)
    else:
        year, month, day = _ymd(match, order)
    hour = _hour_24(int(match.group("h")), match.group("ap") or match.group("ap0"))
    second = int(match.group("s") or 0)
    try:
        return datetime(year, month, day, hour, int(match.group("mi")), second)  # noqa: DTZ001
    except ValueError:
        return None


def _ymd(match: re.Match[str], order: DateOrder) -> tuple[int, int, int]:
    d1, d2, d3 = (int(match.group(name)) for name in ("d1", "d2", "d3"))
    if len(match.group("d1")) > 2:
        year, month, day = d1, d2, d3
    elif order == "MDY":
        month, day, year = d1, d2, d3
    else:
        day, month, year = d1, d2, d3
    year = _gregorian_year(year, match.group("era"), bool(match.group("be")))
    return year, month, day


def _gregorian_year(year: int, era: str | None, buddhist: bool) -> int:
    if buddhist:
        return year - 543
    if era == "R":  # Japanese Reiwa era, year 1 = 2019
        return 2018 + year
    if era == "H":  # Heisei, year 1 = 1989
        return 1988 + year
    return year + 2000 if year < 100 else year


def _hour_24(hour: int, marker: str | None) -> int:
    if marker is None:
        return hour
    word = marker.lower().replace(".", "").replace(" ", "")
    word = word.replace("\u00a0", "").replace("\u202f", "")
    if word in _AM:
        return 0 if hour == 12 else hour
    if word in _PM and hour < 12:
        return hour + 12
    return hour


def _build(line_no: int, timestamp: datetime, rest: str, extra: list[str]) -> ChatItem:
    sender, sep, text = rest.partition(": ")
    if not sep and rest.endswith(":"):
        sender, sep, text = rest[:-1], ":", ""
    sender = sender.strip(_MARKS)
    if sep and sender and len(sender) <= _SENDER_MAX and not _has_quote(sender):
        return _message(line_no, timestamp, sender, text, extra)
    raw = "\n".join([rest, *extra])
    kind, actor, target = classify_system(rest.strip(_MARKS))
    return ChatEvent(line_no, timestamp, kind, actor, target, raw)


def _has_quote(sender: str) -> bool:
    return any(quote in sender for quote in '"“”„«')


def _message(
    line_no: int, timestamp: datetime, sender: str, text: str, extra: list[str]
) -> ChatItem:
    marked = text[:1] in _MARKS
    body = text.lstrip(_MARKS)
    if is_media_placeholder(body, marked=marked):
        if not extra:
            return ChatEvent(
                line_no, timestamp, EventKind.MEDIA_OMITTED, sender, None, text
            )
        return ChatMessage(line_no, timestamp, sender, "\n".join(extra), media=True)
    attachment = attachment_name(body)
    if attachment is not None:
        caption = "\n".join(extra)
        return ChatMessage(line_no, timestamp, sender, caption, True, attachment)
    if not extra and is_deleted(body):
        return ChatEvent(line_no, timestamp, EventKind.DELETED, sender, None, text)
    if marked and not extra:
        system = classify_system(body)
        if system.kind is not EventKind.OTHER:
            # iOS writes group events as if the group itself had said them.
            return ChatEvent(
                line_no, timestamp, system.kind, system.actor, system.target, text
            )
    return ChatMessage(line_no, timestamp, sender, "\n".join([body, *extra]))


__all__ = [
    "ChatEvent",
    "ChatItem",
    "ChatMessage",
    "ChatlogError",
    "DateOrder",
    "EventKind",
    "UnparsedLine",
    "parse_file",
    "parse_lines",
    "parse_text",
]
