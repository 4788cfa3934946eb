"""Overdue reviews and missing acknowledgements are on the attention list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safecontact.people.tests.factories import WorkerFactory
from safecontact.policies import selectors, services
from safecontact.policies.tests.factories import in_force, published_policy

pytestmark = pytest.mark.django_db


def test_a_missing_acknowledgement_is_listed_until_the_worker_reads_it(
    lead, worker, client_for
):
    person = WorkerFactory.create(
        organisation=lead.organisation, user=worker, first_name="Wes"
    )
    policy = published_policy(lead, blocks_contact=True)
    page = client_for(lead).get(reverse("people:attention")).content.decode()
    assert "Policies not yet acknowledged" in page
    assert "Until then they cannot contact anyone" in page
    assert person.get_absolute_url() in page

    services.acknowledge(actor=worker, version=in_force(policy))
    page = client_for(lead).get(reverse("people:attention")).content.decode()
    assert "Policies not yet acknowledged" not in page


def test_an_overdue_review_is_listed(lead, client_for):
    with time_machine.travel(dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)):
        policy = published_policy(lead, "storage")
    page = client_for(lead).get(reverse("people:attention")).content.decode()
    assert "Policies due for review" in page
    assert "was due for review on 10 January 2026" in page
    services.mark_reviewed(actor=lead, policy=policy)
    page = client_for(lead).get(reverse("people:attention")).content.decode()
    assert "Policies due for review" not in page


def _queries(organisation) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.attention_items(organisation, timezone.localdate())
    return len(ctx.captured_queries)


def test_the_attention_items_cost_the_same_queries_at_any_size(lead):
    for slug in ("contact", "conduct"):
        published_policy(lead, slug)
    WorkerFactory.create_batch(3, organisation=lead.organisation)
    small = _queries(lead.organisation)
    WorkerFactory.create_batch(30, organisation=lead.organisation)
    assert _queries(lead.organisation) == small
