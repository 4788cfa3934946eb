"""Every list page, the dashboards and the API lists answer with a query count
that does not grow with the organisation (measured at two sizes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.services import create_api_key
from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.contact.models import Delivery, InboxItem, Message
from safecontact.dashboard.models import UmbrellaMembership
from safecontact.dashboard.services import take_snapshot
from safecontact.dashboard.tests.builders import organisation_of
from safecontact.ledger.tests.factories import make_entries

PAGES = [
    ("dashboard:dashboard", ""),
    ("dashboard:report", ""),
    ("dashboard:report_print", ""),
    ("people:attention", ""),
    ("people:attention", "?category=consent"),
    ("people:attention", "?category=vetting"),
    ("people:attention", "?category=unchecked_adult"),
    ("people:audit", ""),
    ("ledger:list", ""),
    ("ledger:list", "?person=Person"),
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
            decision={"outcome": "hold", "reasons": [], "changes": []},
        )
        InboxItem.objects.create(
            user=lead, message=message, reason=InboxItem.Reason.OVERSIGHT
        )
        Delivery.objects.create(
            organisation=org,
            message=message,
            next_attempt_at=timezone.now() + dt.timedelta(minutes=i),
        )


def _queries(client: Any, url: str, **headers: str) -> int:
    # Once first: the dashboard stores the day's figures on its first visit.
    assert client.get(url, headers=headers).status_code == HTTPStatus.OK
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


def _grow(org: Organisation, lead: User, size: int) -> None:
    organisation_of(org, size)
    _messages(org, lead, size * 2)
    make_entries(org, size * 2, subjects=[])


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
    _grow(org, lead, 3)
    small = _queries(client, url)
    _grow(org, lead, 15)
    assert _queries(client, url) == small


def test_a_message_page_costs_the_same_queries_in_a_longer_log(
    org: Organisation, lead: User, client_for: Callable[[User], Any]
) -> None:
    client = client_for(lead)
    _grow(org, lead, 3)
    message = Message.objects.filter(organisation=org).latest("pk")
    make_entries(org, 1, content={"message": str(message.code)}, subjects=[])
    url = reverse("contact:detail", args=[message.code])
    small = _queries(client, url)
    _grow(org, lead, 15)
    assert _queries(client, url) == small


API_LISTS = [
    "/api/v1/people/",
    "/api/v1/people/workers",
    "/api/v1/contact/messages",
    "/api/v1/contact/alerts",
    "/api/v1/ledger/entries",
    "/api/v1/groups/",
]


@pytest.mark.parametrize("url", API_LISTS)
def test_an_api_list_costs_the_same_queries_at_two_sizes(
    org: Organisation, lead: User, url: str
) -> None:
    _, key = create_api_key(actor=lead, name="budget")
    client = Client()
    auth = {"Authorization": f"Bearer {key}"}
    _grow(org, lead, 3)
    small = _queries(client, url, **auth)
    _grow(org, lead, 15)
    assert _queries(client, url, **auth) == small


def test_the_umbrella_pages_cost_the_same_queries_for_more_members(
    lead: User, make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    diocese = OrganisationFactory.create(name="Diocese")
    client = client_for(make_user("lead", diocese))

    def join(n: int) -> UmbrellaMembership:
        for _ in range(n):
            member = OrganisationFactory.create()
            organisation_of(member, 3)
            link = UmbrellaMembership.objects.create(
                umbrella=diocese, member=member, accepted_at=timezone.now()
            )
            take_snapshot(member)
        return link

    link = join(2)
    urls = [
        reverse("dashboard:umbrella"),
        reverse("dashboard:member", args=[link.code]),
    ]
    small = [_queries(client, url) for url in urls]
    join(6)
    assert [_queries(client, url) for url in urls] == small


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
