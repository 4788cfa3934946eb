"""The audit trail is append-only, like the contact log."""

from __future__ import annotations

import pytest

from safecontact.audittrail.models import AppendOnlyError, AuditEntry
from safecontact.audittrail.services import record_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(org, lead):
    return record_change(
        actor=lead, organisation=org, obj=lead, action="update", before={}, after={}
    )


def test_it_refuses_to_save_a_changed_entry(entry):
    entry.actor_label = "someone else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).actor_label != "someone else"


def test_it_refuses_to_delete_an_entry(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_refuses_a_bulk_update(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(after=None)


def test_it_refuses_a_bulk_update_of_objects(entry):
    entry.actor_label = "x"
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["actor_label"])


def test_it_refuses_a_bulk_delete(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.count() == 1


def test_deleting_an_account_keeps_its_entries_with_the_actor_named(entry, lead):
    lead.delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor_id is None
    assert kept.actor_label == "Lena Lead"
