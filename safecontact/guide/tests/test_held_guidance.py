"""A held or blocked message tells the worker what was found and what to do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safecontact.contact.models import Message
from safecontact.contact.tests.smtp import send
from safecontact.groups.tests.factories import GroupMemberFactory
from safecontact.people.tests.factories import ParentFactory, WorkerFactory

pytestmark = pytest.mark.django_db

WORRYING = "Keep this our secret. Call me on 07700 900123."


def test_a_held_message_shows_the_kind_the_words_and_the_fix(
    client_for, worker, sender, family
):
    message = send(worker, [family.child], body=WORRYING)
    assert message.status == Message.Status.HELD
    html = client_for(worker).get(message.get_absolute_url()).content.decode()
    assert "What was found" in html
    assert "Asking for secrecy" in html and "<mark>our secret</mark>" in html
    assert "Phone number" in html and "<mark>07700 900123</mark>" in html
    assert "Take these words out and say it another way" in html
    assert "Remove the personal details" in html


def test_rule_group_ex_worker_names_the_former_worker(
    client_for, org, worker, sender, group
):
    gone = WorkerFactory.create(
        organisation=org, left=True, first_name="Former", last_name="Helper"
    )
    GroupMemberFactory.create(group=group, person=gone, role="leader")
    message = send(worker, [], group=group)
    assert "group.ex_worker" in {r["rule_id"] for r in message.reasons}
    html = client_for(worker).get(message.get_absolute_url()).content.decode()
    assert "still in this group: Former Helper." in html


def test_rule_group_uncleared_adult_names_the_unchecked_adult(
    client_for, org, worker, sender, group
):
    uncle = ParentFactory.create(
        organisation=org, first_name="Unchecked", last_name="Uncle"
    )
    GroupMemberFactory.create(group=group, person=uncle)
    message = send(worker, [], group=group)
    assert "group.uncleared_adult" in {r["rule_id"] for r in message.reasons}
    html = client_for(worker).get(reverse("contact:detail", args=[message.code]))
    assert "current check in it: Unchecked Uncle." in html.content.decode()
