"""Anchoring a chain outside its store: signed checkpoints, stored hashing."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from safeguarding.ledger import (
    GENESIS,
    Checkpoint,
    Entry,
    LedgerError,
    VerifyResult,
    body_fingerprint,
    check_anchor,
    checkpoint_signed,
    entry_hash,
    format_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    stored_entry_hash,
    verify,
)

KEY = b"k" * 32


def build(n: int, start: str = GENESIS, note: str = "message") -> list[Entry]:
    chain: list[Entry] = []
    prev = start
    for seq in range(1, n + 1):
        content = {"note": f"{note} {seq}", "n": seq, "list": [1, None, True]}
        h = entry_hash(prev, seq, content)
        chain.append(Entry(seq, prev, h, content))
        prev = h
    return chain


def checkpoint(chain: list[Entry], **kw: object) -> Checkpoint:
    last = chain[-1] if chain else None
    fields = {
        "organisation": "org-1",
        "count": len(chain),
        "last_seq": last.seq if last else 0,
        "head_hash": last.hash if last else GENESIS,
        "at": "2026-03-03T14:05:00.000000Z",
        "verified": "full",
    }
    fields.update(kw)
    return sign_checkpoint(KEY, Checkpoint(**fields))  # type: ignore[arg-type]


# --- Stored hashing ------------------------------------------------------------


def test_stored_hashing_gives_the_same_hash_as_normalising():
    for entry in build(5):
        assert stored_entry_hash(entry.prev_hash, entry.seq, entry.content) == (
            entry.hash
        )


def test_a_chain_verifies_the_same_either_way():
    chain = build(5)
    assert (
        verify(chain, stored=True) == verify(chain) == VerifyResult(True, None, None, 5)
    )


def test_stored_hashing_finds_an_edit_and_a_swap():
    chain = build(5)
    edited = [*chain]
    edited[1] = edited[1]._replace(content={"note": "x"})
    assert verify(edited, stored=True).problem == "edited"
    swapped = [*chain]
    swapped[1] = swapped[1]._replace(content=chain[2].content)
    swapped[2] = swapped[2]._replace(content=chain[1].content)
    assert verify(swapped, stored=True).problem == "reordered"


@pytest.mark.parametrize(
    ("prev", "content"),
    [("bad", {}), (GENESIS, {"x": float("nan")}), (GENESIS, {"x": {1, 2}})],
)
def test_stored_hashing_refuses_what_json_cannot_hold(prev, content):
    with pytest.raises(LedgerError):
        stored_entry_hash(prev, 1, content)


def test_a_float_slipped_into_a_stored_entry_is_an_edit():
    chain = build(2)
    chain[1] = chain[1]._replace(content={**chain[1].content, "n": 2.0})
    assert verify(chain, stored=True).problem == "edited"


def test_body_fingerprint_is_the_sha256_of_subject_and_text():
    expected = hashlib.sha256(b"Hello\nSee you at 7").hexdigest()
    assert body_fingerprint("Hello", "See you at 7") == expected


# --- Anchors -------------------------------------------------------------------


def test_a_chain_that_reaches_its_anchor_verifies():
    chain = build(5)
    assert verify(chain, anchor=(3, chain[2].hash)).ok
    assert verify(chain, anchor=(5, chain[4].hash)).ok
    assert verify(chain, anchor=(0, GENESIS)).ok


def test_a_truncated_chain_fails_its_anchor():
    chain = build(5)
    result = verify(chain[:3], anchor=(5, chain[4].hash))
    assert result == VerifyResult(False, 4, "truncated", 3)
    assert verify([], anchor=(5, chain[4].hash)).problem == "truncated"


def test_a_rehashed_chain_fails_its_anchor():
    chain = build(5)
    rewritten = build(5, note="rewritten")
    result = verify(rewritten, anchor=(4, chain[3].hash))
    assert result == VerifyResult(False, 4, "rehashed", 3)


def test_check_anchor_names_a_missing_or_changed_row():
    chain = build(3)
    anchor = (3, chain[2].hash)
    assert check_anchor(chain[2], anchor) is None
    assert check_anchor(None, anchor) == "truncated"
    assert check_anchor(chain[1], anchor) == "truncated"
    assert check_anchor(chain[2]._replace(hash="f" * 64), anchor) == "rehashed"
    assert check_anchor(None, (0, GENESIS)) is None


# --- Checkpoints ---------------------------------------------------------------


def test_a_signed_checkpoint_round_trips_through_its_line():
    cp = checkpoint(build(4))
    line = format_checkpoint(cp)
    assert "\n" not in line
    again = parse_checkpoint(line)
    assert again == cp
    assert checkpoint_signed(KEY, again)


@pytest.mark.parametrize(
    "change",
    [
        {"count": 3},
        {"last_seq": 3},
        {"head_hash": "a" * 64},
        {"at": "2027-01-01T00:00:00.000000Z"},
        {"organisation": "org-2"},
        {"verified": "since_checkpoint"},
        {"signature": "0" * 64},
    ],
)
def test_any_change_to_a_checkpoint_breaks_its_signature(change):
    cp = dataclasses.replace(checkpoint(build(4)), **change)
    assert not checkpoint_signed(KEY, cp)


def test_another_key_does_not_verify_it():
    assert not checkpoint_signed(b"other key", checkpoint(build(2)))
    assert not checkpoint_signed(b"", checkpoint(build(2)))


@pytest.mark.parametrize(
    "kw",
    [{"head_hash": "nothex"}, {"count": -1}, {"last_seq": -1}],
)
def test_it_refuses_to_sign_a_malformed_checkpoint(kw):
    with pytest.raises(LedgerError):
        checkpoint(build(1), **kw)
    with pytest.raises(LedgerError, match="key"):
        sign_checkpoint(b"", dataclasses.replace(checkpoint(build(1)), signature=""))


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        "[]",
        '{"organisation": "o"}',
        '{"organisation":"o","count":"1","last_seq":1,"head_hash":"h","at":"a",'
        '"verified":"full","signature":"s"}',
        '{"organisation":"o","count":true,"last_seq":1,"head_hash":"h","at":"a",'
        '"verified":"full","signature":"s"}',
    ],
)
def test_it_refuses_a_line_that_is_not_a_checkpoint(line):
    with pytest.raises(LedgerError):
        parse_checkpoint(line)
