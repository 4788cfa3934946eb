"""Register and message pages answer with a query count that does not grow
with the organisation (measured at two sizes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.contact.models import Delivery, InboxItem, Message
from safecontact.dashboard.tests.builders import organisation_of

PAGES = [
    ("people:attention", ""),
    ("people:attention", "?category=consent"),
    ("people:list", "?status=cleared"),
    ("people:list", "?status=not_cleared"),
    ("people:list", ""),
    ("contact:inbox", ""),
    ("contact:held", ""),
    ("contact:outbox", ""),
]


def _messages(org: Organisation, lead: User, n: int) -> None:
    # Rows as the gateway leaves them; the gateway's own tests cover sending.
    for i in range(n):
        message = Message.objects.create(
            organisation=org,
            direction=Message.Direction.OUTBOUND,
            status=Message.Status.HELD if i % 2 else Message.Status.QUEUED,
            author=lead,
        )
        InboxItem.objects.create(
            user=lead, message=message, reason=InboxItem.Reason.OVERSIGHT
        )
        Delivery.objects.create(
            organisation=org,
            message=message,
            next_attempt_at=timezone.now() + dt.timedelta(minutes=i),
        )


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_the_page_costs_the_same_queries_at_two_sizes(
    org: Organisation,
    lead: User,
    client_for: Callable[[User], Any],
    name: str,
    query: str,
) -> None:
    client = client_for(lead)
    url = reverse(name) + query
    organisation_of(org, 3)
    _messages(org, lead, 3)
    small = _queries(client, url)
    organisation_of(org, 15)
    _messages(org, lead, 30)
    assert _queries(client, url) == small


def test_the_attention_list_summarises_and_pages_its_detail(
    org: Organisation, lead: User, client_for: Callable[[User], Any]
) -> None:
    organisation_of(org, 120)  # 60 children without consent: more than a page
    client = client_for(lead)
    first = client.get(reverse("people:attention") + "?category=consent")
    text = first.content.decode()
    assert "What needs attention, by kind" in text
    assert "Page 1 of 2" in text
    assert text.count("Record consent") == 50
    second = client.get(reverse("people:attention") + "?category=consent&page=2")
    assert second.content.decode().count("Record consent") == 11
