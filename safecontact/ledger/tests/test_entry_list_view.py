from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from safecontact.conftest import grant_all
from safecontact.groups.tests.factories import GroupFactory
from safecontact.ledger.services import append_entry
from safecontact.ledger.tests.factories import make_entries
from safecontact.ledger.views import PER_PAGE
from safecontact.people.tests.factories import ChildFactory

URL = reverse("ledger:list")


@pytest.mark.parametrize("role", ["lead", "deputy", "trustee"])
def test_oversight_roles_see_the_log(org, make_user, client_for, role):
    make_entries(org, 2)
    response = client_for(grant_all(make_user(role, org))).get(URL)
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["rows"]) == 2


def test_workers_cannot_see_the_log(worker, client_for):
    assert client_for(worker).get(URL).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response["Location"]


def test_it_refuses_post(lead, client_for):
    assert client_for(lead).post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_shows_only_the_users_organisation(org, other_org, lead, client_for):
    make_entries(other_org, 3)
    make_entries(org, 1)
    response = client_for(lead).get(URL)
    assert len(response.context["rows"]) == 1


def test_it_filters_by_kind(org, lead, client_for):
    make_entries(org, 2)
    append_entry(organisation=org, kind="message.delivered", content={})
    response = client_for(lead).get(URL, {"kind": "message.delivered"})
    assert [e.kind for e, _ in response.context["rows"]] == ["message.delivered"]


def test_it_filters_by_person_and_names_them(org, lead, client_for):
    child = ChildFactory.create(organisation=org, first_name="Sam", last_name="Child")
    make_entries(org, 2)
    append_entry(
        organisation=org, kind="message.attempt", content={}, subjects=[child.code]
    )
    response = client_for(lead).get(URL, {"person": str(child.code)})
    rows = response.context["rows"]
    assert len(rows) == 1
    assert rows[0][1] == ["Sam Child"]
    assert reverse("ledger:history_csv", args=["person", child.code]) in response.text


def test_it_filters_by_date_range_in_the_organisations_timezone(org, lead, client_for):
    # 23:30 UTC on 30 June is already 1 July in London.
    with time_machine.travel(dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)):
        append_entry(organisation=org, kind="message.attempt", content={})
    with time_machine.travel(dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)):
        append_entry(organisation=org, kind="message.attempt", content={})
    response = client_for(lead).get(URL, {"since": "2025-07-01", "until": "2025-07-01"})
    assert [e.seq for e, _ in response.context["rows"]] == [1]


def test_it_explains_a_backwards_date_range(org, lead, client_for):
    response = client_for(lead).get(URL, {"since": "2025-07-02", "until": "2025-07-01"})
    assert response.status_code == HTTPStatus.OK
    assert "The end date must be on or after the start date." in response.text


def test_a_person_from_another_organisation_is_not_a_valid_filter(
    org, other_org, lead, client_for
):
    theirs = ChildFactory.create(organisation=other_org)
    response = client_for(lead).get(URL, {"person": str(theirs.code)})
    assert response.context["form"].errors["person"]


def test_it_pages_the_log(org, lead, client_for):
    make_entries(org, PER_PAGE + 1)
    client = client_for(lead)
    first = client.get(URL)
    assert len(first.context["rows"]) == PER_PAGE
    assert first.context["rows"][0][0].seq == PER_PAGE + 1
    second = client.get(URL, {"page": 2})
    assert [e.seq for e, _ in second.context["rows"]] == [1]


def test_it_finds_a_person_by_part_of_their_name(org, lead, client_for):
    child = ChildFactory.create(organisation=org, first_name="Samira", last_name="Obi")
    ChildFactory.create(organisation=org, first_name="Tom", last_name="Ng")
    append_entry(
        organisation=org, kind="message.attempt", content={}, subjects=[child.code]
    )
    make_entries(org, 2)
    response = client_for(lead).get(URL, {"person": "sam ob"})
    assert [names for _, names in response.context["rows"]] == [["Samira Obi"]]


def test_a_name_many_people_share_lists_them_to_choose_from(org, lead, client_for):
    a = ChildFactory.create(organisation=org, first_name="Sam", last_name="Able")
    ChildFactory.create(organisation=org, first_name="Sam", last_name="Baker")
    response = client_for(lead).get(URL, {"person": "Sam", "kind": ""})
    assert response.status_code == HTTPStatus.OK
    assert "2 people match" in response.text
    assert f"person={a.code}" in response.text
    assert response.context["rows"] == []


def test_nobody_matching_is_a_clear_error(org, lead, client_for):
    response = client_for(lead).get(URL, {"person": "Nobody Here"})
    assert response.status_code == HTTPStatus.OK
    assert "Nobody in your register matches" in response.text


def test_the_page_never_lists_everyone_in_a_drop_down(org, lead, client_for):
    for n in range(30):
        ChildFactory.create(organisation=org, first_name=f"Kid{n}", last_name="X")
    text = client_for(lead).get(URL).text
    assert "Kid1 X" not in text
    assert 'name="person"' in text and 'type="text"' in text


def test_a_very_long_search_is_not_an_error(org, lead, client_for):
    response = client_for(lead).get(URL, {"person": " ".join(["word"] * 2000)})
    assert response.status_code == HTTPStatus.OK


def test_its_query_count_does_not_grow_with_the_log(org, lead, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(lead)

    def add(n: int) -> None:
        for _ in range(n):
            child = ChildFactory.create(organisation=org)
            append_entry(
                organisation=org,
                kind="message.attempt",
                content={},
                subjects=[child.code],
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    add(PER_PAGE + 10)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_it_finds_a_group_by_part_of_its_name_without_listing_every_group(
    org, lead, client_for
):
    youth = GroupFactory.create(organisation=org, name="Youth club")
    GroupFactory.create(organisation=org, name="Youth choir")
    GroupFactory.create(organisation=org, name="Bell ringers")
    make_entries(org, 2)
    append_entry(
        organisation=org, kind="message.attempt", content={}, subjects=[youth.code]
    )
    client = client_for(lead)
    assert "Bell ringers" not in client.get(URL).text
    found = client.get(URL, {"group": "youth cl"})
    assert [e.subjects for e, _ in found.context["rows"]] == [[str(youth.code)]]
    both = client.get(URL, {"group": "youth"})
    assert "2 groups match" in both.text and f"group={youth.code}" in both.text
    assert both.context["rows"] == []
    by_code = client.get(URL, {"group": str(youth.code)})
    assert len(by_code.context["rows"]) == 1
    assert "No group of yours matches" in client.get(URL, {"group": "zz"}).text
