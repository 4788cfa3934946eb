"""Hash chain for the tamper-evident contact log.

Each entry's hash covers the previous entry's hash, its own sequence number and
its content, so changing, deleting or moving any stored entry breaks the chain
at that point. This module only computes and checks; the ``ledger`` app stores.

Storing: keep ``normalise(content)`` (JSON-native values only). Hashing the
stored value again gives the same hash, whatever the database does to key
order or whitespace; ``verify(..., stored=True)`` hashes such values without
normalising them again.

Anchoring: a chain can be re-hashed by anyone who can write to its store. A
``Checkpoint`` (count, last seq and head hash, signed with a key the store
does not hold) kept elsewhere pins the chain: ``verify(..., anchor=...)``
fails when the chain no longer reaches the checkpoint's seq ("truncated") or
holds a different hash there ("rehashed").
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry in a chain."""

Problem = Literal[
    "edited",
    "missing",
    "reordered",
    "bad_link",
    "truncated",
    "rehashed",
    "body_changed",
    "index_changed",
]
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
    return _dumps(normalise(content))


def _dumps(value: Any) -> bytes:
    return json.dumps(
        value,
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
    return _hash(prev_hash, seq, canonical(content))


def entry_hash_with(
    prev_hash: str, seq: int, payload: Mapping[str, Any], *, content: bytes
) -> str:
    """``entry_hash(prev_hash, seq, {**payload, "content": c})`` where
    ``content`` is ``canonical(c)``, made beforehand: so a writer can serialise
    an entry's content before it takes the chain's lock, and only hash under
    it. ``payload``'s own "content" key, if any, is ignored."""
    if not isinstance(prev_hash, str) or not _HEX64.fullmatch(prev_hash):
        raise LedgerError("prev_hash must be 64 lowercase hex characters")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise LedgerError("seq must be a positive integer")
    rest = _normalise_mapping({k: v for k, v in payload.items() if k != "content"})
    parts = [
        _dumps(key) + b":" + (content if key == "content" else _dumps(rest[key]))
        for key in sorted([*rest, "content"])
    ]
    return _hash(prev_hash, seq, b"{" + b",".join(parts) + b"}")


def stored_entry_hash(prev_hash: str, seq: int, content: Mapping[str, Any]) -> str:
    """``entry_hash`` of content already stored normalised (read back as JSON).

    Skips normalising again, which is most of the cost of checking a long
    chain. JSON read back from a store is JSON-native, so the bytes hashed are
    the same; anything else (a float slipped in by hand) fails to match.
    """
    if not isinstance(prev_hash, str) or not _HEX64.fullmatch(prev_hash):
        raise LedgerError("prev_hash must be 64 lowercase hex characters")
    try:
        body = _dumps(content)
    except (TypeError, ValueError) as exc:
        raise LedgerError(str(exc)) from None
    return _hash(prev_hash, seq, body)


def _hash(prev_hash: str, seq: int, body: bytes) -> str:
    head = f"{prev_hash}\n{seq}\n".encode("ascii")
    return hashlib.sha256(head + body).hexdigest()


def body_fingerprint(subject: str, body: str) -> str:
    """The SHA-256 a log entry keeps of a message's subject and text."""
    return hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()


def _self_consistent(entry: Entry, stored: bool = False) -> bool:
    hasher = stored_entry_hash if stored else entry_hash
    try:
        return hasher(entry.prev_hash, entry.seq, entry.content) == entry.hash
    except LedgerError:
        return False


def verify(
    entries: Iterable[tuple[int, str, str, Mapping[str, Any]]],
    *,
    after: tuple[int, str] | None = None,
    head_hash: str | None = None,
    anchor: tuple[int, str] | None = None,
    stored: bool = False,
) -> VerifyResult:
    """Check a chain given in seq order, one entry at a time.

    ``after`` is the (seq, hash) of the last entry already trusted, to check
    only what follows it; by default the chain starts at seq 1 from GENESIS.
    ``head_hash``, if the store keeps one, catches entries cut off the end.
    ``anchor`` is a (seq, hash) known from outside the store (a signed
    checkpoint): the chain must reach that seq with that hash. ``stored``
    hashes contents as read back from the store (``stored_entry_hash``).
    After the first problem the rest is read only to tell a swap from an edit
    or a deletion; memory stays constant.
    """
    last_seq, last_hash = after or (0, GENESIS)
    stream = (Entry(*item) for item in entries)
    count = 0
    for entry in stream:
        problem = _first_problem(entry, last_seq, last_hash, stored)
        if problem is not None:
            return _classify(entry, problem, last_seq, last_hash, stream, count, stored)
        if anchor is not None and entry.seq == anchor[0] and entry.hash != anchor[1]:
            return VerifyResult(False, entry.seq, "rehashed", count)
        last_seq, last_hash = entry.seq, entry.hash
        count += 1
    if head_hash is not None and head_hash != last_hash:
        return VerifyResult(False, last_seq + 1, "missing", count)
    if anchor is not None and last_seq < anchor[0]:
        return VerifyResult(False, last_seq + 1, "truncated", count)
    return VerifyResult(True, None, None, count)


def check_anchor(row: Entry | None, anchor: tuple[int, str]) -> Problem | None:
    """Is the stored row at a checkpoint's seq still the one it signed?

    For checking only what follows a checkpoint: the rows after it must link
    to this row, and this row must still be there, unchanged.
    """
    if anchor[0] == 0:
        return None
    if row is None or row.seq != anchor[0]:
        return "truncated"
    if row.hash != anchor[1]:
        return "rehashed"
    return None


def _first_problem(
    entry: Entry, last_seq: int, last_hash: str, stored: bool = False
) -> Problem | None:
    if entry.seq <= last_seq:
        return "reordered"
    if entry.seq > last_seq + 1:
        return "missing"
    if not _self_consistent(entry, stored):
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
    stored: bool = False,
) -> VerifyResult:
    if problem == "reordered":
        return VerifyResult(False, entry.seq, problem, count)
    if problem == "missing":
        absent = range(last_seq + 1, entry.seq)
        if any(later.seq in absent for later in rest):
            problem = "reordered"
        return VerifyResult(False, last_seq + 1, problem, count)
    if any(_swapped(entry, later, last_hash, stored) for later in rest):
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


def _swapped(here: Entry, there: Entry, last_hash: str, stored: bool = False) -> bool:
    """Would exchanging some columns of two rows make both entries valid?"""
    for fields in _SWAPPABLE:
        moved_here = here._replace(**{f: getattr(there, f) for f in fields})
        moved_there = there._replace(**{f: getattr(here, f) for f in fields})
        if (
            moved_here.prev_hash == last_hash
            and _self_consistent(moved_here, stored)
            and _self_consistent(moved_there, stored)
        ):
            return True
    return False


# --- Checkpoints ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A chain's head at a moment, signed with a key its store does not hold.

    ``at`` is an ISO 8601 UTC time; ``verified`` says how much of the chain
    was checked before signing ("full" or "since_checkpoint").
    """

    organisation: str
    count: int
    last_seq: int
    head_hash: str
    at: str
    verified: str
    signature: str = ""

    def fields(self) -> dict[str, JSONValue]:
        return {
            "organisation": self.organisation,
            "count": self.count,
            "last_seq": self.last_seq,
            "head_hash": self.head_hash,
            "at": self.at,
            "verified": self.verified,
        }


def _mac(key: bytes, checkpoint: Checkpoint) -> str:
    if not key:
        raise LedgerError("a checkpoint key must not be empty")
    message = b"safecontact-ledger-checkpoint\n" + _dumps(checkpoint.fields())
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_checkpoint(key: bytes, checkpoint: Checkpoint) -> Checkpoint:
    """``checkpoint`` with its HMAC-SHA256 signature filled in."""
    if not _HEX64.fullmatch(checkpoint.head_hash):
        raise LedgerError("head_hash must be 64 lowercase hex characters")
    if checkpoint.count < 0 or checkpoint.last_seq < 0:
        raise LedgerError("count and last_seq cannot be negative")
    return replace(checkpoint, signature=_mac(key, checkpoint))


def checkpoint_signed(key: bytes, checkpoint: Checkpoint) -> bool:
    """Was ``checkpoint`` signed with ``key`` and left unchanged since?"""
    try:
        expected = _mac(key, checkpoint)
    except (LedgerError, TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, checkpoint.signature)


def parse_checkpoint(line: str) -> Checkpoint:
    """One line of a checkpoint file; ``LedgerError`` if it is not one."""
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            organisation=str(data["organisation"]),
            count=_whole(data["count"]),
            last_seq=_whole(data["last_seq"]),
            head_hash=str(data["head_hash"]),
            at=str(data["at"]),
            verified=str(data["verified"]),
            signature=str(data["signature"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise LedgerError(f"not a checkpoint: {exc}") from None
    return checkpoint


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return int(value)


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """The line a signed checkpoint is stored as (no newline)."""
    data = checkpoint.fields()
    data["signature"] = checkpoint.signature
    return _dumps(data).decode("utf-8")
