"""Build an organisation of a given size for figure and query-budget tests."""

from __future__ import annotations

from typing import Any

from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    ConsentFactory,
    WorkerFactory,
)


def organisation_of(org: Any, size: int) -> dict[str, Any]:
    """``size`` workers (one in three not cleared), ``size`` children in a
    children's group (half with consent), an adult at risk without consent and
    an unchecked adult in the children's group."""
    group = GroupFactory.create(organisation=org, name="Youth club")
    workers = [
        WorkerFactory.create(
            organisation=org, vetting="missing" if i % 3 == 0 else "current"
        )
        for i in range(size)
    ]
    for i in range(size):
        child = ChildFactory.create(organisation=org)
        GroupMemberFactory.create(group=group, person=child)
        if i % 2 == 0:
            ConsentFactory.create(subject=child, groups=[group])
    adult = AdultAtRiskFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=adult)
    GroupMemberFactory.create(group=group, person=workers[0])
    return {"group": group, "workers": workers}
