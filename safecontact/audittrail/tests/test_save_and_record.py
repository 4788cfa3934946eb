"""The one helper that saves a record and writes its audit entry."""

from __future__ import annotations

import pytest

from safecontact.audittrail.models import AuditEntry
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.concerns.tests.factories import make_case
from safecontact.people.models import Person
from safecontact.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_it_saves_a_new_record_and_records_its_creation(org, lead):
    person = PersonFactory.build(organisation=org, first_name="Ada")
    entry = save_and_record(actor=lead, organisation=org, obj=person, before=None)
    assert Person.objects.filter(pk=person.pk).exists()
    assert entry.action == "create"
    assert entry.before is None
    assert (entry.after or {})["first_name"] == "Ada"
    assert entry.object_code == str(person.code)
    assert entry.case_code is None


def test_it_saves_a_change_and_records_before_and_after(org, lead):
    person = PersonFactory.create(organisation=org, first_name="Ada")
    before = snapshot(person)
    person.first_name = "Ava"
    entry = save_and_record(actor=lead, organisation=org, obj=person, before=before)
    assert Person.objects.get(pk=person.pk).first_name == "Ava"
    old, new = entry.before or {}, entry.after or {}
    assert (entry.action, old["first_name"], new["first_name"]) == (
        "update",
        "Ada",
        "Ava",
    )


def test_it_leaves_out_excluded_fields(org, lead):
    person = PersonFactory.create(organisation=org)
    entry = save_and_record(
        actor=lead,
        organisation=org,
        obj=person,
        before=snapshot(person),
        exclude={"first_name"},
    )
    assert "first_name" not in (entry.after or {})


def test_a_deletion_is_recorded_without_an_after(org, lead):
    person = PersonFactory.create(organisation=org)
    entry = save_and_record(
        actor=lead,
        organisation=org,
        obj=person,
        before=snapshot(person),
        action="delete",
    )
    assert entry.after is None
    assert AuditEntry.objects.filter(action="delete").count() == 1


def test_a_record_of_a_case_is_tagged_with_its_case(org, lead):
    case = make_case(org)
    share = case.shares.model(case=case, user=lead)
    entry = save_and_record(actor=lead, organisation=org, obj=share, before=None)
    assert entry.case_code == case.code
    assert AuditEntry.objects.filter(model="concerns.case").get().case_code == (
        case.code
    )
