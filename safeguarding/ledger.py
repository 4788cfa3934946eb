"""Hash chain for the tamper-evident contact log.

Each entry's hash covers the previous entry's hash, its own sequence number and
its content, so changing, deleting or moving any stored entry breaks the chain
at that point. This module only computes and checks; the ``ledger`` app stores.

Storing: keep ``normalise(content)`` (JSON-native values only). Hashing the
stored value again gives the same hash, whatever the database does to key
order or whitespace.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry in a chain."""

Problem = Literal["edited", "missing", "reordered", "bad_link"]
JSONValue = None | bool | int | str | list["JSONValue"] | dict[str, "JSONValue"]

_HEX64 = re.compile(r"[0-9a-f]{64}")


class LedgerError(Exception):
    """Content that cannot be hashed unambiguously, or a malformed entry."""


class Entry(NamedTuple):
    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of checking a chain.

    ``first_bad_seq`` is where the chain first fails: the entry's own seq for
    "edited", "bad_link" and "reordered"; the first absent seq for "missing".
    ``checked_count`` counts the entries that verified before the first
    problem (all of them when ``ok``).
    """

    ok: bool
    first_bad_seq: int | None
    problem: Problem | None
    checked_count: int


def normalise(value: Any) -> JSONValue:
    """Turn ``value`` into JSON-native data with exactly one spelling.

    Aware datetimes become UTC ISO strings with microseconds and ``Z``; dates
    become ISO dates; UUIDs, Decimals and enums their string/int value.
    Floats, naive datetimes, sets, bytes and non-string keys are refused:
    each has more than one reasonable spelling.
    """
    if isinstance(value, enum.Enum):
        return normalise(value.value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise LedgerError("naive datetime: give a timezone-aware datetime")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return _normalise_mapping(value)
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    raise LedgerError(f"cannot hash a value of type {type(value).__name__}")


def _normalise_mapping(value: Mapping[Any, Any]) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise LedgerError(f"keys must be strings, not {type(key).__name__}")
        out[key] = normalise(item)
    return out


def canonical(content: Mapping[str, Any]) -> bytes:
    """Sorted-key, compact, UTF-8 JSON of ``content``."""
    return json.dumps(
        normalise(content),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def entry_hash(prev_hash: str, seq: int, content: Mapping[str, Any]) -> str:
    """The hex SHA-256 of an entry, covering the previous hash and its seq."""
    if not isinstance(prev_hash, str) or not _HEX64.fullmatch(prev_hash):
        raise LedgerError("prev_hash must be 64 lowercase hex characters")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise LedgerError("seq must be a positive integer")
    if not isinstance(content, Mapping):
        raise LedgerError("content must be a mapping")
    head = f"{prev_hash}\n{seq}\n".encode("ascii")
    return hashlib.sha256(head + canonical(content)).hexdigest()


def _self_consistent(entry: Entry) -> bool:
    try:
        return entry_hash(entry.prev_hash, entry.seq, entry.content) == entry.hash
    except LedgerError:
        return False


def verify(
    entries: Iterable[tuple[int, str, str, Mapping[str, Any]]],
    *,
    after: tuple[int, str] | None = None,
    head_hash: str | None = None,
) -> VerifyResult:
    """Check a chain given in seq order, one entry at a time.

    ``after`` is the (seq, hash) of the last entry already trusted, to check
    only what follows it; by default the chain starts at seq 1 from GENESIS.
    ``head_hash``, if the store keeps one, catches entries cut off the end.
    After the first problem the rest is read only to tell a swap from an edit
    or a deletion; memory stays constant.
    """
    last_seq, last_hash = after or (0, GENESIS)
    stream = (Entry(*item) for item in entries)
    count = 0
    for entry in stream:
        problem = _first_problem(entry, last_seq, last_hash)
        if problem is not None:
            return _classify(entry, problem, last_seq, last_hash, stream, count)
        last_seq, last_hash = entry.seq, entry.hash
        count += 1
    if head_hash is not None and head_hash != last_hash:
        return VerifyResult(False, last_seq + 1, "missing", count)
    return VerifyResult(True, None, None, count)


def _first_problem(entry: Entry, last_seq: int, last_hash: str) -> Problem | None:
    if entry.seq <= last_seq:
        return "reordered"
    if entry.seq > last_seq + 1:
        return "missing"
    if not _self_consistent(entry):
        return "edited"
    if entry.prev_hash != last_hash:
        return "bad_link"
    return None


def _classify(
    entry: Entry,
    problem: Problem,
    last_seq: int,
    last_hash: str,
    rest: Iterator[Entry],
    count: int,
) -> VerifyResult:
    if problem == "reordered":
        return VerifyResult(False, entry.seq, problem, count)
    if problem == "missing":
        absent = range(last_seq + 1, entry.seq)
        if any(later.seq in absent for later in rest):
            problem = "reordered"
        return VerifyResult(False, last_seq + 1, problem, count)
    if any(_swapped(entry, later, last_hash) for later in rest):
        problem = "reordered"
    return VerifyResult(False, entry.seq, problem, count)


# Column groups an exchange of two stored rows may have moved: the content
# alone, or everything but the seq (which is what swapping seqs amounts to
# when rows are read in seq order), and the other combinations for safety.
_SWAPPABLE: tuple[tuple[str, ...], ...] = (
    ("content",),
    ("prev_hash", "hash", "content"),
    ("hash", "content"),
    ("prev_hash",),
    ("hash",),
    ("prev_hash", "hash"),
    ("prev_hash", "content"),
)


def _swapped(here: Entry, there: Entry, last_hash: str) -> bool:
    """Would exchanging some columns of two rows make both entries valid?"""
    for fields in _SWAPPABLE:
        moved_here = here._replace(**{f: getattr(there, f) for f in fields})
        moved_there = there._replace(**{f: getattr(here, f) for f in fields})
        if (
            moved_here.prev_hash == last_hash
            and _self_consistent(moved_here)
            and _self_consistent(moved_there)
        ):
            return True
    return False
