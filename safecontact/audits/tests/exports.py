"""Made-up WhatsApp exports for the audit tests: our own lines, nothing real."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from safecontact.audits.sealed import seal_file

EVENING = [{"day": d, "start": "18:00", "end": "20:00"} for d in range(7)]
DAY = dt.date(2026, 3, 14)  # a Saturday; day 14 settles day/month order


def android(when: dt.datetime, sender: str, text: str) -> str:
    return f"{when:%d/%m/%Y, %H:%M} - {sender}: {text}\n"


def iphone(when: dt.datetime, sender: str, text: str) -> str:
    return f"[{when:%d/%m/%Y, %H:%M:%S}] {sender}: {text}\n"


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def chat(rows: Iterable[tuple[dt.datetime, str, str]], style: str = "android") -> str:
    line = android if style == "android" else iphone
    return "".join(line(when, sender, text) for when, sender, text in rows)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_zip(path: Path, text: str, member: str = "_chat.txt") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return path


def ordinary(count: int, senders: tuple[str, ...]) -> Iterator[str]:
    """``count`` dull in-hours messages, a minute apart from 18:00 each day."""
    start = at(18)
    for n in range(count):
        day, minute = divmod(n, 100)
        when = start + dt.timedelta(days=day, minutes=minute)
        yield android(when, senders[n % len(senders)], f"See you at the hall, item {n}")


def sealed(path: Path) -> Path:
    """The export encrypted as the upload handler stores it, beside ``path``."""
    return seal_file(path, path.with_name(path.name + ".sealed"))
