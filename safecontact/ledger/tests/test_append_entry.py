from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction

from safecontact.ledger.models import AppendOnlyError, LedgerEntry, LedgerSubject
from safecontact.ledger.services import append_entry
from safeguarding.ledger import GENESIS, LedgerError, entry_hash


def test_the_first_entry_starts_the_chain(org, lead):
    entry = append_entry(
        organisation=org,
        kind="message.attempt",
        content={"decision": "allow"},
        actor=lead,
    )
    assert entry.seq == 1
    assert entry.prev_hash == GENESIS
    assert entry.hash == entry_hash(GENESIS, 1, entry.payload)
    assert entry.actor == lead
    assert entry.actor_label == str(lead)


def test_each_entry_links_to_the_one_before(org):
    first = append_entry(organisation=org, kind="message.attempt", content={})
    second = append_entry(organisation=org, kind="message.delivered", content={})
    assert second.seq == 2
    assert second.prev_hash == first.hash


def test_each_organisation_has_its_own_chain(org, other_org):
    append_entry(organisation=org, kind="message.attempt", content={})
    theirs = append_entry(organisation=other_org, kind="message.attempt", content={})
    assert theirs.seq == 1
    assert theirs.prev_hash == GENESIS


def test_the_stored_entry_hashes_the_same_after_a_reload(org):
    when = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
    code = uuid.uuid4()
    entry = append_entry(
        organisation=org,
        kind="message.attempt",
        content={"at": when, "message": code, "reasons": [{"rule": "R1"}], "n": 3},
    )
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.content["message"] == str(code)
    assert stored.content["at"] == "2025-03-01T09:30:00.000000Z"
    assert entry_hash(stored.prev_hash, stored.seq, stored.payload) == stored.hash


def test_it_indexes_subjects_once_each(org):
    person, group = uuid.uuid4(), str(uuid.uuid4())
    entry = append_entry(
        organisation=org,
        kind="message.attempt",
        content={},
        subjects=[person, group, person],
    )
    assert entry.subjects == [str(person), group]
    indexed = LedgerSubject.objects.filter(subject_code=str(person))
    assert [s.entry_id for s in indexed] == [entry.pk]


def test_it_refuses_content_it_cannot_hash_the_same_way_twice(org):
    with pytest.raises(LedgerError):
        append_entry(organisation=org, kind="message.attempt", content={"x": 0.1})
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "kind", ["", "message", "Message.Attempt", "message.", "a b.c"]
)
def test_it_refuses_a_malformed_kind(org, kind):
    with pytest.raises(LedgerError):
        append_entry(organisation=org, kind=kind, content={})


def test_a_rolled_back_transaction_leaves_no_gap(org):
    with pytest.raises(RuntimeError), transaction.atomic():
        append_entry(organisation=org, kind="message.attempt", content={})
        raise RuntimeError
    entry = append_entry(organisation=org, kind="message.attempt", content={})
    assert entry.seq == 1


def test_entries_cannot_be_changed_or_deleted(org):
    entry = append_entry(organisation=org, kind="message.attempt", content={})
    entry.kind = "message.delivered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(kind="x.y")
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_a_duplicate_seq(org):
    entry = append_entry(organisation=org, kind="message.attempt", content={})
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            organisation=org,
            seq=entry.seq,
            prev_hash=GENESIS,
            hash=GENESIS,
            kind="message.attempt",
            content={},
            actor_label="x",
            created_at=entry.created_at,
        )
