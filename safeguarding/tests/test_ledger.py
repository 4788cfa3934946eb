from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import uuid
from zoneinfo import ZoneInfo

import pytest

from safeguarding.ledger import (
    GENESIS,
    Entry,
    LedgerError,
    VerifyResult,
    canonical,
    entry_hash,
    entry_hash_with,
    normalise,
    verify,
)

LONDON = ZoneInfo("Europe/London")


class Colour(enum.StrEnum):
    RED = "red"


def build(n: int) -> list[Entry]:
    chain: list[Entry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        content = {"seq_note": f"message {seq}", "n": seq}
        h = entry_hash(prev, seq, content)
        chain.append(Entry(seq, prev, h, content))
        prev = h
    return chain


def test_genesis_is_64_zeros():
    assert GENESIS == "0" * 64


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        ("é", "é"),
        (7, 7),
        (Colour.RED, "red"),
        (dt.date(2025, 3, 30), "2025-03-30"),
        (
            dt.datetime(2025, 7, 1, 10, 0, tzinfo=LONDON),
            "2025-07-01T09:00:00.000000Z",
        ),
        (
            dt.datetime(2025, 1, 1, 10, 0, 0, 5, tzinfo=dt.UTC),
            "2025-01-01T10:00:00.000005Z",
        ),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (decimal.Decimal("1.10"), "1.10"),
        ((1, [2, {"a": 3}]), [1, [2, {"a": 3}]]),
    ],
)
def test_normalise_gives_one_spelling(value, expected):
    assert normalise(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        dt.datetime(2025, 1, 1, 10, 0),  # noqa: DTZ001 - naive on purpose
        {1, 2},
        b"bytes",
        {1: "not a string key"},
    ],
)
def test_normalise_refuses_ambiguous_values(value):
    with pytest.raises(LedgerError):
        normalise(value)


def test_enums_become_their_plain_value():
    assert type(normalise(Colour.RED)) is str


def test_canonical_is_sorted_compact_utf8():
    assert canonical({"b": 1, "a": "café"}) == '{"a":"café","b":1}'.encode()


def test_stored_normalised_content_hashes_the_same():
    content = {"at": dt.datetime(2025, 3, 30, 1, 30, tzinfo=dt.UTC), "to": [1, 2]}
    stored = json.loads(json.dumps(normalise(content)))
    assert entry_hash(GENESIS, 1, stored) == entry_hash(GENESIS, 1, content)


def test_the_same_instant_in_any_timezone_hashes_the_same():
    utc = dt.datetime(2025, 10, 26, 1, 30, tzinfo=dt.UTC)
    local = utc.astimezone(LONDON)
    assert entry_hash(GENESIS, 1, {"at": utc}) == entry_hash(GENESIS, 1, {"at": local})


def test_hash_covers_prev_seq_and_content():
    base = entry_hash(GENESIS, 1, {"a": 1})
    assert len(base) == 64
    assert entry_hash("1" * 64, 1, {"a": 1}) != base
    assert entry_hash(GENESIS, 2, {"a": 1}) != base
    assert entry_hash(GENESIS, 1, {"a": 2}) != base


@pytest.mark.parametrize(
    ("prev", "seq", "content"),
    [
        ("abc", 1, {}),
        ("A" * 64, 1, {}),
        (None, 1, {}),
        (GENESIS, 0, {}),
        (GENESIS, True, {}),
        (GENESIS, "1", {}),
        (GENESIS, 1, [1]),
    ],
)
def test_entry_hash_refuses_malformed_input(prev, seq, content):
    with pytest.raises(LedgerError):
        entry_hash(prev, seq, content)


@pytest.mark.parametrize(
    "payload",
    [
        {"content": {}},
        {
            "organisation": str(uuid.UUID(int=7)),
            "kind": "message.attempt",
            "content": {
                "message": str(uuid.UUID(int=1)),
                "recipients": [{"person": "p", "role": "to", "added_by_rule": ""}],
                "deliver_at": dt.datetime(2025, 3, 30, 1, 30, tzinfo=LONDON),
                "urgent_reason": 'Zoë\'s "lift" — café\n',
                "rules": [],
                "nested": {"z": None, "a": True, "m": decimal.Decimal("1.50")},
            },
            "subjects": ["p", "g"],
            "actor": "Ann Worker",
            "at": dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC),
        },
        # Keys sorting before and after "content", and non-ASCII keys.
        {"a": 1, "content": {"é": 1, "e": [1, "2"]}, "contenu": "x", "zz": None},
    ],
)
def test_hashing_with_content_serialised_beforehand_gives_the_same_hash(payload):
    content = canonical(payload["content"])
    without = {k: v for k, v in payload.items() if k != "content"}
    expected = entry_hash("ab" * 32, 9, payload)
    assert entry_hash_with("ab" * 32, 9, without, content=content) == expected
    # A "content" key in the payload is ignored: the bytes given are hashed.
    wrong = {**payload, "content": {"other": 1}}
    assert entry_hash_with("ab" * 32, 9, wrong, content=content) == expected


@pytest.mark.parametrize(("prev", "seq"), [("abc", 1), (GENESIS, 0), (GENESIS, True)])
def test_hashing_with_content_refuses_malformed_input(prev, seq):
    with pytest.raises(LedgerError):
        entry_hash_with(prev, seq, {}, content=b"{}")


def test_an_intact_chain_verifies():
    assert verify(build(5)) == VerifyResult(True, None, None, 5)


def test_an_empty_chain_verifies():
    assert verify([]) == VerifyResult(True, None, None, 0)


def test_it_accepts_plain_tuples_from_a_query():
    rows = [(e.seq, e.prev_hash, e.hash, e.content) for e in build(3)]
    assert verify(rows).ok


def test_it_reads_entries_lazily():
    assert verify(iter(build(3))).checked_count == 3


def test_it_detects_an_edited_entry():
    chain = build(6)
    chain[2] = chain[2]._replace(content={"seq_note": "changed", "n": 3})
    assert verify(chain) == VerifyResult(False, 3, "edited", 2)


def test_it_detects_an_edited_hash():
    chain = build(4)
    chain[3] = chain[3]._replace(hash="f" * 64)
    assert verify(chain) == VerifyResult(False, 4, "edited", 3)


def test_it_treats_a_malformed_prev_hash_as_edited():
    chain = build(2)
    chain[1] = chain[1]._replace(prev_hash="nonsense")
    assert verify(chain) == VerifyResult(False, 2, "edited", 1)


def test_it_detects_a_deleted_entry():
    chain = build(6)
    del chain[3]
    assert verify(chain) == VerifyResult(False, 4, "missing", 3)


def test_it_detects_a_deleted_first_entry():
    chain = build(3)
    del chain[0]
    assert verify(chain) == VerifyResult(False, 1, "missing", 0)


def test_it_detects_entries_cut_off_the_end_given_the_head():
    chain = build(5)
    head = chain[-1].hash
    assert verify(chain[:3], head_hash=head) == VerifyResult(False, 4, "missing", 3)
    assert verify(chain, head_hash=head).ok


def test_it_detects_a_deletion_with_later_entries_renumbered():
    chain = build(5)
    renumbered = chain[:2] + [e._replace(seq=e.seq - 1) for e in chain[3:]]
    assert verify(renumbered) == VerifyResult(False, 3, "edited", 2)


def test_it_detects_a_rehashed_entry_that_does_not_link():
    chain = build(4)
    forged_prev = "a" * 64
    content = chain[2].content
    chain[2] = Entry(3, forged_prev, entry_hash(forged_prev, 3, content), content)
    assert verify(chain) == VerifyResult(False, 3, "bad_link", 2)


def test_it_detects_a_wrong_start_link():
    chain = build(3)
    assert verify(chain, after=(0, "b" * 64)) == VerifyResult(False, 1, "bad_link", 0)


def test_it_verifies_from_a_trusted_point():
    chain = build(6)
    assert verify(chain[3:], after=(3, chain[2].hash)).ok


def swap_columns(chain, i, j, fields):
    a, b = chain[i], chain[j]
    chain[i] = a._replace(**{f: getattr(b, f) for f in fields})
    chain[j] = b._replace(**{f: getattr(a, f) for f in fields})


@pytest.mark.parametrize(
    "fields",
    [
        ("content",),
        ("prev_hash", "hash", "content"),  # seq numbers swapped, read by seq
        ("hash", "content"),
    ],
)
@pytest.mark.parametrize(("i", "j"), [(1, 2), (1, 5), (0, 6)])
def test_it_detects_swapped_entries(fields, i, j):
    chain = build(7)
    swap_columns(chain, i, j, fields)
    result = verify(chain)
    assert result == VerifyResult(False, i + 1, "reordered", i)


def test_it_detects_entries_read_out_of_seq_order():
    chain = build(5)
    chain[1], chain[2] = chain[2], chain[1]
    assert verify(chain) == VerifyResult(False, 2, "reordered", 1)


def test_it_detects_a_repeated_seq():
    chain = build(3)
    chain.insert(2, chain[1])
    assert verify(chain) == VerifyResult(False, 2, "reordered", 2)
