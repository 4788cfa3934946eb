"""The register's "cleared" filter, worked out by the database, agrees with
worker_clearance (the policy core) on a randomised register."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.conftest import login
from safecontact.people import selectors
from safecontact.people.models import Person, Training
from safecontact.people.tests import random_register
from safecontact.people.tests.factories import WorkerFactory
from safeguarding.policy import Workforce

pytestmark = pytest.mark.django_db

DAY = dt.date(2028, 2, 29)
DAYS = [DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)]


def test_every_course_level_counts_so_the_state_row_can_say_trained():
    # cleared_q reads the state row's training_until, the latest expiry of
    # any course: right only while every level counts as trained.
    assert set(selectors.TRAINED_LEVELS) == set(Training.Level.values)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_clearance_agrees_with_the_policy_core(org, seed):
    random_register.build(org, DAY, seed)
    people = list(selectors.workers(org))
    assert len(people) > 20
    seen = set()
    for day in DAYS:
        for years in (3, 2):
            expected = {
                workforce: {
                    p.pk
                    for p in people
                    if getattr(
                        selectors.worker_clearance(p, day, years), workforce.value
                    )
                }
                for workforce in Workforce
            }
            for workforce in Workforce:
                found = set(
                    Person.objects.filter(
                        selectors.cleared_q(day, years, workforce), organisation=org
                    ).values_list("pk", flat=True)
                )
                assert found == expected[workforce], (day, years, workforce)
            either = expected[Workforce.CHILDREN] | expected[Workforce.ADULTS]
            seen |= either
            rows = Person.objects.filter(organisation=org, worker__isnull=False)
            cleared = selectors.cleared_for_either_q(day, years)
            assert set(rows.filter(cleared).values_list("pk", flat=True)) == either
            others = {p.pk for p in people} - either
            assert set(rows.exclude(cleared).values_list("pk", flat=True)) == others
            # As the register's "not cleared" filter asks it.
            assert set(rows.filter(~cleared).values_list("pk", flat=True)) == others
    assert 0 < len(seen) < len(people)  # the fixture has both


@pytest.mark.parametrize(
    ("status", "expected"), [("cleared", {"Cleo"}), ("not_cleared", {"Nat", "Ned"})]
)
def test_the_register_filters_workers_by_clearance(client, lead, org, status, expected):
    WorkerFactory(organisation=org, first_name="Cleo")
    WorkerFactory(organisation=org, first_name="Nat", vetting="expired")
    WorkerFactory(organisation=org, first_name="Ned", training="missing")
    login(client, lead)
    response = client.get(reverse("people:list"), {"status": status})
    assert response.status_code == HTTPStatus.OK
    assert {p.first_name for p in response.context["page"].object_list} == expected
