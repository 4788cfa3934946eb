"""The send path costs a fixed number of queries, whatever the organisation's size.

A budget, not a timing: if a change adds a query to every send, this fails and
says how many there are now. The CPU profile of a send is in docs/performance.md.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safecontact.accounts.services import create_api_key
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import send
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.tests.factories import WorkerFactory, purpose_named

pytestmark = pytest.mark.django_db

# Measured when the budget was set; lower them when a change saves queries.
# Each is one more since an ordinary message asks whether its sender's and its
# conversation's risk windows hold a grooming finding (a level can rise on a
# message with no finding of its own: ``contact.services.early_warning``).
DIRECT_BUDGET = 16
GROUP_BUDGET = 21


# Through POST /api/v1/contact/messages: the key, the recipients with the
# purpose, and the API's checks answered from the rows the decision reads
# (25, then 19 before the hand-written SQL read vetting and training
# together, 18 before the consents and their codes were read in one query,
# 17 before the purpose was read with the recipients).
API_BUDGET = 17
# A parent has no consent record: no codes were read for it even before.
API_VIA_GROUP_BUDGET = 18


def _grow(org, n: int) -> None:
    """More people, workers and groups elsewhere in the organisation."""
    for _ in range(n):
        make_family(org)
    WorkerFactory.create_batch(n, organisation=org)
    for _ in range(3):
        group = GroupFactory.create(organisation=org)
        GroupMemberFactory.create(group=group, person=make_family(org).child)


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


def _api_send(client, worker, person):
    """POST /api/v1/contact/messages as the bench does; its queries."""
    _, raw = create_api_key(actor=worker, name="budget")
    data = {
        "recipients": [str(person.code)],
        "channel": "email",
        "purpose": str(purpose_named(person.organisation).code),
        "subject": "Thursday",
        "body": "See you on Thursday.",
    }

    def post():
        response = client.post(
            "/api/v1/contact/messages",
            data,
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == HTTPStatus.CREATED, response.json()
        assert response.json()["status"] == "queued"

    post()  # warm caches, and the key's "last used" write
    return _queries(post)


def test_the_send_api_costs_the_same_queries_in_a_bigger_organisation(
    client, org, worker, sender, family
):
    """The child's consent names any worker: the API's check of whom the
    worker may address is answered from the rows the decision reads."""
    small = _api_send(client, worker, family.child)
    _grow(org, 20)
    big = _api_send(client, worker, family.child)
    assert big == small
    assert small <= API_BUDGET, f"a send through the API now costs {small} queries"


def test_the_send_api_to_a_parent_in_the_workers_group_costs_the_same_queries(
    client, org, worker, sender
):
    """No consent names the worker for a parent: the API finds them the way
    the compose page does (a carer of a child in the worker's group)."""
    family = make_family(org)
    group = GroupFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=sender, role="leader")
    GroupMemberFactory.create(group=group, person=family.child)
    small = _api_send(client, worker, family.parent)
    _grow(org, 20)
    big = _api_send(client, worker, family.parent)
    assert big == small
    assert small <= API_VIA_GROUP_BUDGET, (
        f"a send through the API to a parent now costs {small} queries"
    )
