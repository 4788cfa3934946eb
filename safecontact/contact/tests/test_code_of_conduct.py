"""A binding code of conduct stops contact until it is acknowledged."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safecontact.contact.models import Message
from safecontact.contact.tests.smtp import send
from safecontact.policies import services
from safecontact.policies.tests.factories import in_force, published_policy

pytestmark = pytest.mark.django_db


def _rules(message: Message) -> set[str]:
    return {r["rule_id"] for r in message.decision["reasons"]}


def test_an_unacknowledged_binding_code_blocks_contact(lead, worker, sender, family):
    policy = published_policy(lead, "conduct", blocks_contact=True)
    message = send(worker, [family.child])
    assert message.status == Message.Status.BLOCKED
    assert "sender.code_of_conduct" in _rules(message)
    reason = next(
        r
        for r in message.decision["reasons"]
        if r["rule_id"] == "sender.code_of_conduct"
    )
    assert "Code of conduct for online contact" in reason["message"]

    services.acknowledge(actor=worker, version=in_force(policy))
    message = send(worker, [family.child])
    assert "sender.code_of_conduct" not in _rules(message)
    assert message.status != Message.Status.BLOCKED


def test_a_code_that_is_not_binding_does_not_block(lead, worker, sender, family):
    published_policy(lead, "conduct", blocks_contact=False)
    assert "sender.code_of_conduct" not in _rules(send(worker, [family.child]))


def test_a_new_version_must_be_acknowledged_again(lead, worker, sender, family):
    policy = published_policy(lead, "conduct", blocks_contact=True)
    services.acknowledge(actor=worker, version=in_force(policy))
    services.save_draft(actor=lead, policy=policy, body="# Changed code")
    services.publish_draft(actor=lead, policy=policy)
    assert "sender.code_of_conduct" in _rules(send(worker, [family.child]))


def test_the_compose_page_says_why(lead, worker, sender, family, client_for):
    published_policy(lead, "conduct", blocks_contact=True)
    from safecontact.people.tests.factories import purpose_named

    response = client_for(worker).post(
        "/contact/compose/",
        {
            "recipients": [str(family.child.code)],
            "channel": "email",
            "purpose": str(purpose_named(lead.organisation).code),
            "subject": "Thursday",
            "body": "See you on Thursday.",
            "action": "check",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "You have not yet read and acknowledged" in response.content.decode()


def test_no_binding_code_costs_one_query(worker, sender):
    from safecontact.policies.selectors import binding_unread

    with CaptureQueriesContext(connection) as ctx:
        assert binding_unread(sender, is_lead=False) == ()
    assert len(ctx.captured_queries) == 1
