"""The send path costs a fixed number of queries, whatever the organisation's size.

A budget, not a timing: if a change adds a query to every send, this fails and
says how many there are now. The CPU profile of a send is in docs/performance.md.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import send
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

# Measured when the budget was set; lower them when a change saves queries.
DIRECT_BUDGET = 17
GROUP_BUDGET = 22


def _grow(org, n: int) -> None:
    """More people, workers and groups elsewhere in the organisation."""
    for _ in range(n):
        make_family(org)
    WorkerFactory.create_batch(n, organisation=org)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as ctx:
        action()
    return len(ctx.captured_queries)


def test_a_direct_message_costs_the_same_queries_in_a_bigger_organisation(
    org, worker, sender, family
):
    send(worker, [family.child])  # warm caches (content types, sessions)
    small = _queries(lambda: send(worker, [family.child]))
    _grow(org, 20)
    big = _queries(lambda: send(worker, [family.child]))
    assert big == small
    assert small <= DIRECT_BUDGET, f"a direct send now costs {small} queries"


def test_a_group_message_costs_the_same_queries_with_more_members(org, worker, sender):
    group = GroupFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=sender, role="leader")

    def add(n: int) -> None:
        for _ in range(n):
            family = make_family(org)
            family.consent.groups.set([group])
            GroupMemberFactory.create(group=group, person=family.child)

    add(3)
    send(worker, [], group=group)
    small = _queries(lambda: send(worker, [], group=group))
    add(27)
    big = _queries(lambda: send(worker, [], group=group))
    assert big == small
    assert small <= GROUP_BUDGET, f"a group send now costs {small} queries"
