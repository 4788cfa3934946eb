"""The register read for the policy engine: right rows, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from safecontact.contact.services import inputs
from safecontact.contact.tests.conftest import make_family
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.models import Consent
from safecontact.people.tests.factories import (
    ConsentFactory,
    ParentFactory,
    RelationshipFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db


def test_recipients_carry_their_consents_groups_and_named_workers(org, sender):
    family = make_family(org)
    group = GroupFactory.create(organisation=org)
    family.consent.groups.set([group])
    family.consent.allowed_workers.set([sender])
    who, _ = inputs.sender_for(sender.user, dt.date(2026, 3, 10))
    (recipient,) = inputs.recipients_for([family.child], who, "email", {})
    assert recipient.consent is not None
    assert recipient.consent.groups == {str(group.code)}
    assert recipient.consent.allowed_senders == {str(sender.code)}
    assert recipient.parents == (str(family.parent.code),)


def test_the_newest_consent_record_is_the_one_in_force(org, sender):
    family = make_family(org)
    ConsentFactory.create(
        subject=family.child,
        given_by=family.parent,
        status=Consent.Status.WITHDRAWN,
        supersedes=family.consent,
    )
    who, _ = inputs.sender_for(sender.user, dt.date(2026, 3, 10))
    (recipient,) = inputs.recipients_for([family.child], who, "email", {})
    assert recipient.consent is not None
    assert recipient.consent.withdrawn


def test_only_reachable_carers_with_parental_responsibility_are_copied(org, sender):
    family = make_family(org)
    no_responsibility = ParentFactory.create(organisation=org)
    RelationshipFactory.create(
        person=family.child, carer=no_responsibility, parental_responsibility=False
    )
    no_address = ParentFactory.create(organisation=org, email="")
    RelationshipFactory.create(person=family.child, carer=no_address)
    people: dict[str, object] = {}
    who, _ = inputs.sender_for(sender.user, dt.date(2026, 3, 10))
    (recipient,) = inputs.recipients_for([family.child], who, "email", people)  # type: ignore[arg-type]
    assert recipient.parents == (str(family.parent.code),)
    assert str(family.parent.code) in people


def test_reading_many_recipients_takes_no_more_queries_than_one(
    org, sender, django_assert_max_num_queries
):
    children = [make_family(org).child for _ in range(6)]
    who, _ = inputs.sender_for(sender.user, dt.date(2026, 3, 10))
    with django_assert_max_num_queries(3):
        recipients = inputs.recipients_for(children, who, "email", {})
    assert [r.id for r in recipients] == [str(c.code) for c in children]
    assert all(r.consent is not None and r.parents for r in recipients)


def test_checking_a_group_takes_no_more_queries_with_more_workers_in_it(
    org, group, django_assert_max_num_queries
):
    for _ in range(4):
        GroupMemberFactory.create(
            group=group, person=WorkerFactory.create(organisation=org), role="leader"
        )
    with django_assert_max_num_queries(4):
        info = inputs.group_info(group, dt.date(2026, 3, 10))
    assert not info.has_ex_worker
