from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from safecontact.accounts.services import create_api_key
from safecontact.ledger.services import append_entry
from safecontact.ledger.tests import tamper
from safecontact.ledger.tests.factories import make_entries
from safecontact.people.tests.factories import ChildFactory

ENTRIES = "/api/v1/ledger/entries"
VERIFY = "/api/v1/ledger/verify"


def test_it_lists_entries_newest_first_with_a_count(org, lead, client_for):
    make_entries(org, 3)
    response = client_for(lead).get(ENTRIES)
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 3
    assert [e["seq"] for e in body["items"]] == [3, 2, 1]
    assert set(body["items"][0]) >= {
        "code",
        "kind",
        "content",
        "hash",
        "prev_hash",
        "actor",
    }
    assert "id" not in body["items"][0]


def test_it_pages_entries(org, lead, client_for):
    make_entries(org, 5)
    body = client_for(lead).get(ENTRIES, {"page": 2, "page_size": 2}).json()
    assert [e["seq"] for e in body["items"]] == [3, 2]


def test_it_filters_entries_by_person_and_kind(org, lead, client_for):
    child = ChildFactory.create(organisation=org)
    make_entries(org, 2, subjects=[child.code])
    append_entry(
        organisation=org, kind="message.inbound", content={}, subjects=[child.code]
    )
    append_entry(organisation=org, kind="message.inbound", content={})
    body = (
        client_for(lead)
        .get(ENTRIES, {"person": str(child.code), "kind": "message.inbound"})
        .json()
    )
    assert [e["seq"] for e in body["items"]] == [3]


def test_it_accepts_an_api_key(org, lead):
    make_entries(org, 1)
    _, raw = create_api_key(actor=lead, name="script")
    response = Client().get(ENTRIES, headers={"authorization": f"Bearer {raw}"})
    assert response.json()["count"] == 1


def test_it_never_shows_another_organisations_entries(org, other_org, lead, client_for):
    make_entries(other_org, 2)
    assert client_for(lead).get(ENTRIES).json()["count"] == 0


def test_trustees_may_read_entries(org, trustee, client_for):
    assert client_for(trustee).get(ENTRIES).status_code == HTTPStatus.OK


def test_workers_may_not_read_entries(worker, client_for):
    response = client_for(worker).get(ENTRIES)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "error" in response.json()


@pytest.mark.parametrize("url", [ENTRIES, VERIFY])
def test_anonymous_callers_must_authenticate(db, url):
    assert Client().get(url).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("url", [ENTRIES, VERIFY])
def test_it_refuses_post(lead, client_for, url):
    assert client_for(lead).post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"person": "not-a-code"},
        {"since": "2025-02-02", "until": "2025-02-01"},
    ],
)
def test_it_rejects_bad_filters(lead, client_for, params):
    response = client_for(lead).get(ENTRIES, params)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]


def test_verify_reports_a_good_chain(org, lead, client_for):
    make_entries(org, 3)
    body = client_for(lead).get(VERIFY).json()
    assert body == {
        "ok": True,
        "checked_count": 3,
        "first_bad_seq": None,
        "problem": None,
        "message": "OK: 3 entries verified.",
    }


def test_verify_reports_the_first_broken_entry(org, lead, client_for):
    entries = make_entries(org, 3)
    tamper.delete_row(entries[1])
    body = client_for(lead).get(VERIFY).json()
    assert body["ok"] is False
    assert body["first_bad_seq"] == 2
    assert body["problem"] == "missing"


@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_only_leads_may_verify(org, make_user, client_for, role):
    response = client_for(make_user(role, org)).get(VERIFY)
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_verify_checks_only_what_came_after_the_newest_checkpoint(
    org, lead, client_for
):
    from django.core.management import call_command

    make_entries(org, 3)
    call_command("checkpoint_ledger", stdout=None)
    make_entries(org, 1)
    body = client_for(lead).get(VERIFY).json()
    assert body["ok"] is True
    assert body["checked_count"] == 1


def test_verify_finds_a_log_cut_short_since_the_checkpoint(org, lead, client_for):
    from django.core.management import call_command

    entries = make_entries(org, 3)
    call_command("checkpoint_ledger", stdout=None)
    tamper.delete_row(entries[-1])
    body = client_for(lead).get(VERIFY).json()
    assert (body["ok"], body["problem"], body["first_bad_seq"]) == (
        False,
        "truncated",
        3,
    )


def test_verify_refuses_more_than_a_request_can_check(
    org, lead, client_for, monkeypatch
):
    from safecontact.ledger import selectors

    monkeypatch.setattr(selectors, "REQUEST_CHECK_LIMIT", 2)
    make_entries(org, 3)
    response = client_for(lead).get(VERIFY)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "verify_ledger" in response.json()["error"]
