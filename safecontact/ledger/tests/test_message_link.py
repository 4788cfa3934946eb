"""A message's log entry is found through an indexed column, not a JSON search."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from safecontact.ledger.models import LedgerEntry
from safecontact.ledger.selectors import entry_for_message
from safecontact.ledger.tests.factories import make_entries

pytestmark = pytest.mark.django_db


def test_append_entry_links_the_message_it_records(org):
    code = uuid.uuid4()
    first, _later = make_entries(org, 2, content={"message": str(code)})
    make_entries(org, 1, content={"message": str(uuid.uuid4())})
    assert first.message_code == code
    assert entry_for_message(org.pk, code) == first
    assert entry_for_message(org.pk, uuid.uuid4()) is None


def test_an_entry_without_a_message_has_no_link(org):
    (entry,) = make_entries(org, 1, content={"message": "not-a-uuid"})
    (other,) = make_entries(org, 1)
    assert entry.message_code is None and other.message_code is None


def test_another_organisations_entry_is_not_found(org, other_org):
    code = uuid.uuid4()
    make_entries(other_org, 1, content={"message": str(code)})
    assert entry_for_message(org.pk, code) is None


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL's planner picks by table statistics: a 3-row table "
    "proves nothing there",
)
def test_the_lookup_uses_the_index(org):
    code = uuid.uuid4()
    make_entries(org, 3, content={"message": str(code)})
    plan = (
        LedgerEntry.objects.filter(organisation_id=org.pk, message_code=code)
        .order_by("seq")[:1]
        .explain()
    )
    assert "ledger_org_message" in plan
