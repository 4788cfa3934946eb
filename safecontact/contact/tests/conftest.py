"""A small organisation to send messages in: a cleared worker, a child with a
parent and consent, and a real SMTP server to deliver to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from safecontact.accounts.models import Organisation, User
from safecontact.contact.tests.smtp import SmtpServer
from safecontact.groups.models import Group
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.models import Person
from safecontact.people.tests.factories import (
    ChildFactory,
    ConsentFactory,
    ParentFactory,
    RelationshipFactory,
    WorkerFactory,
)

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning, inside the factories' agreed hours (08:00-21:00 daily).
TUESDAY_10AM = dt.datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _tuesday_morning() -> Iterator[Any]:
    with time_machine.travel(TUESDAY_10AM, tick=True) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


@dataclass
class Family:
    child: Person
    parent: Person
    consent: Any


def make_family(org: Organisation, **consent: Any) -> Family:
    child = ChildFactory.create(organisation=org, email="")
    child.email = f"{child.first_name.lower()}@kids.example.org"
    child.save()
    parent = ParentFactory.create(organisation=org)
    RelationshipFactory.create(person=child, carer=parent)
    record = ConsentFactory.create(subject=child, given_by=parent, **consent)
    return Family(child, parent, record)


@pytest.fixture
def sender(org: Organisation, worker: User) -> Person:
    """The ``worker`` user's register entry: active and cleared."""
    return WorkerFactory.create(
        organisation=org, user=worker, first_name="Wes", last_name="Worker"
    )


@pytest.fixture
def family(org: Organisation) -> Family:
    return make_family(org)


@pytest.fixture
def group(org: Organisation, sender: Person) -> Group:
    """A youth group with three children (each with consent for the group)."""
    group = GroupFactory.create(organisation=org, name="Thursday Youth Club")
    GroupMemberFactory.create(group=group, person=sender, role="leader")
    for _ in range(3):
        fam = make_family(org)
        fam.consent.groups.set([group])
        GroupMemberFactory.create(group=group, person=fam.child)
    return group
