"""Clearance and ages are judged on the organisation's date, not the server's."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from safecontact.people import state
from safecontact.people.models import Training
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

# 23:30 UTC on 10 March 2026 is already 11 March in Auckland.
LATE = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def expiring(org):
    """A worker whose training runs out at the end of 10 March."""
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)):
        person = WorkerFactory.create(organisation=org, first_name="Ana")
    Training.objects.filter(person=person).update(expires_on=dt.date(2026, 3, 10))
    state.refresh([person.pk])  # the row was edited behind the services
    return person


@pytest.mark.parametrize(
    ("zone", "cleared"), [("Europe/London", True), ("Pacific/Auckland", False)]
)
def test_the_workers_api_uses_the_organisations_day(
    client_for, lead, org, expiring, zone, cleared
):
    org.timezone = zone
    org.save()
    with time_machine.travel(LATE):
        response = client_for(lead).get("/api/v1/people/workers")
    assert response.status_code == HTTPStatus.OK
    [row] = [w for w in response.json()["items"] if w["first_name"] == "Ana"]
    assert row["clearance"]["children"] is cleared


def test_the_attention_list_uses_the_organisations_day(client_for, lead, org, expiring):
    org.timezone = "Pacific/Auckland"
    org.save()
    with time_machine.travel(LATE):
        page = client_for(lead).get(reverse("people:attention")).content.decode()
    assert "Safeguarding training expired on 10 March 2026" in page
