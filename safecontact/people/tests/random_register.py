"""A randomised register for checking the SQL forms of the rules against the
Python ones: workers with several checks and courses (ties on dates and on
the time recorded included), people with ages on the edge of 18 and of a
platform's minimum, memberships of live, archived and left groups, and
consent histories that name groups and purposes.

Built with bulk_create around ``day`` so a test can build a few hundred
rows quickly and ask about the days either side.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from safecontact.groups.models import Group, GroupMember, Platform, Purpose
from safecontact.people import state
from safecontact.people.models import (
    Consent,
    Person,
    Training,
    VettingCheck,
    WorkerProfile,
)
from safeguarding.policy import add_years


def _near(rng: random.Random, day: dt.date, spread: int = 3) -> dt.date:
    return day + dt.timedelta(days=rng.randint(-spread, spread))


def _birth(rng: random.Random, day: dt.date, kind: str) -> dt.date | None:
    if rng.random() < 0.1:
        return None
    if rng.random() < 0.4:  # on the edge of 18, 13 or 16
        return _near(rng, add_years(day, -rng.choice([18, 13, 16])), 2)
    if rng.random() < 0.05:
        return dt.date(2012, 2, 29)
    years = rng.randint(5, 17) if kind == Person.Kind.CHILD else rng.randint(15, 70)
    return day - dt.timedelta(days=365 * years + rng.randint(0, 364))


def build(organisation: Any, day: dt.date, seed: int, size: int = 120) -> None:
    rng = random.Random(seed)
    platforms = [
        Platform.objects.create(
            organisation=organisation,
            name=f"Platform {i}",
            kind="email",
            approved=i != 1,
            minimum_age=age,
        )
        for i, age in enumerate([0, 13, 16])
    ]
    purposes = [
        Purpose.objects.create(organisation=organisation, name=f"Purpose {i}")
        for i in range(3)
    ]
    groups = []
    for i in range(8):
        group = Group.objects.create(
            organisation=organisation,
            name=f"Group {i % 5}",  # some share a name
            audience=rng.choice(Group.Audience.values),
            platform=rng.choice(platforms),
            account=rng.choice(Group.Account.values),
            archived_at=_at(day) if rng.random() < 0.1 else None,
        )
        group.purposes.set(rng.sample(purposes, rng.randint(0, 2)))
        groups.append(group)
    kinds = Person.Kind.values
    people = Person.objects.bulk_create(
        [
            Person(
                organisation=organisation,
                first_name=f"P{i}",
                last_name=rng.choice(["Ames", "Bell", "Cole"]),
                kind=(kind := rng.choice(kinds)),
                date_of_birth=_birth(rng, day, kind),
            )
            for i in range(size)
        ]
    )
    for person in people:
        if person.kind == Person.Kind.WORKER or rng.random() < 0.15:
            _worker(rng, person, day)
        for group in rng.sample(groups, rng.randint(0, 3)):
            GroupMember.objects.create(
                group=group,
                person=person,
                removed_at=_at(day) if rng.random() < 0.1 else None,
            )
        if person.kind in (Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK):
            _consents(rng, organisation, person, day, groups, purposes, people)
    # The histories were written directly, not through the services.
    state.rebuild(organisation)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def _worker(rng: random.Random, person: Person, day: dt.date) -> None:
    start = _near(rng, day - dt.timedelta(days=rng.choice([0, 400])), 2)
    end = rng.choice([None, None, max(start, _near(rng, day, 2)), start])
    WorkerProfile.objects.create(
        person=person,
        employment="volunteer",
        works_with=rng.choice(WorkerProfile.WorksWith.values),
        start_date=start,
        end_date=end,
    )
    certificate = _near(rng, add_years(day, -3), 4)
    VettingCheck.objects.bulk_create(
        [
            VettingCheck(
                person=person,
                level=rng.choice(VettingCheck.Level.values),
                workforce=rng.choice(VettingCheck.Workforce.values),
                # Equal dates are common, so the newest is decided by the tie-break.
                certificate_date=rng.choice([certificate, _near(rng, certificate, 40)]),
                update_service=rng.random() < 0.15,
                renewal_due=_near(rng, day, 3) if rng.random() < 0.15 else None,
            )
            for _ in range(rng.randint(0, 3))
        ]
    )
    for _ in range(rng.randint(0, 2)):
        expires = _near(rng, day + dt.timedelta(days=rng.choice([0, 30])), 3)
        Training.objects.create(
            person=person,
            level=rng.choice(Training.Level.values),
            completed_on=expires - dt.timedelta(days=700),
            expires_on=expires,
        )


def _consents(
    rng: random.Random,
    organisation: Any,
    person: Person,
    day: dt.date,
    groups: list[Group],
    purposes: list[Purpose],
    people: list[Person],
) -> None:
    for _ in range(rng.randint(0, 3)):
        withdrawn = rng.random() < 0.15
        consent = Consent.objects.create(
            organisation=organisation,
            subject=person,
            kind=rng.choice(Consent.Kind.values),
            status="withdrawn" if withdrawn else "given",
            given_by=rng.choice(people),
            evidence="form",
            evidence_date=_near(rng, day - dt.timedelta(days=rng.choice([0, 200])), 2),
            expires_on=rng.choice([None, _near(rng, day, 2)]),
        )
        consent.groups.set(rng.sample(groups, rng.choice([0, 0, 1, 2])))
        consent.purposes.set(rng.sample(purposes, rng.randint(0, 2)))
