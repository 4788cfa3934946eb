"""Entries prepared before the chain's lock (``prepare_entry``) and written
under it (``write_entry``): the chain is fixed when written, not prepared."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import transaction

from safecontact.ledger.models import LedgerEntry, LedgerSubject
from safecontact.ledger.selectors import verify_chain
from safecontact.ledger.services import append_entry, prepare_entry, write_entry
from safeguarding.ledger import GENESIS, LedgerError, entry_hash


def test_entries_take_their_place_in_the_order_written_not_prepared(org, lead):
    person = uuid.uuid4()
    first = prepare_entry(
        organisation=org,
        kind="message.attempt",
        content={"n": 1, "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        subjects=[person],
        actor=lead,
    )
    second = prepare_entry(organisation=org, kind="message.attempt", content={"n": 2})
    # Another writer gets in between: the prepared entries follow it.
    between = append_entry(organisation=org, kind="message.delivered", content={})
    with transaction.atomic():
        later = write_entry(second)
        earlier = write_entry(first)
    assert (between.seq, later.seq, earlier.seq) == (1, 2, 3)
    assert later.prev_hash == between.hash
    assert earlier.prev_hash == later.hash
    assert earlier.created_at >= later.created_at
    for entry in (later, earlier):
        stored = LedgerEntry.objects.get(pk=entry.pk)
        assert stored.hash == entry.hash
        assert entry_hash(stored.prev_hash, stored.seq, stored.payload) == stored.hash
    assert LedgerEntry.objects.get(pk=earlier.pk).actor == lead
    assert list(
        LedgerSubject.objects.filter(entry_id=earlier.pk).values_list(
            "subject_code", flat=True
        )
    ) == [str(person)]
    assert verify_chain(org).ok


def test_a_prepared_entry_is_written_once(org):
    pending = prepare_entry(organisation=org, kind="message.attempt", content={})
    entry = write_entry(pending)
    assert (entry.seq, entry.prev_hash) == (1, GENESIS)
    with pytest.raises(LedgerError):
        write_entry(pending)
    assert LedgerEntry.objects.filter(organisation=org).count() == 1


def test_preparing_checks_the_entry_without_touching_the_database(
    org, django_assert_num_queries
):
    with django_assert_num_queries(0):
        pending = prepare_entry(
            organisation=org, kind="message.attempt", content={"a": [1]}
        )
    assert pending.entry.pk is None
    with pytest.raises(LedgerError):
        prepare_entry(organisation=org, kind="Bad Kind", content={})
    with pytest.raises(LedgerError):
        prepare_entry(organisation=org, kind="message.attempt", content={"f": 1.5})
