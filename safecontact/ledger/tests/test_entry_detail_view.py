from __future__ import annotations

import uuid
from http import HTTPStatus

from django.test import Client
from django.urls import reverse

from safecontact.ledger.tests import tamper
from safecontact.ledger.tests.factories import make_entries


def url(entry):
    return reverse("ledger:detail", args=[entry.code])


def test_it_shows_content_hashes_and_a_good_chain(org, lead, client_for):
    entries = make_entries(org, 3, content={"decision": "allow_with_changes"})
    response = client_for(lead).get(url(entries[1]))
    assert response.status_code == HTTPStatus.OK
    assert "allow_with_changes" in response.text
    assert entries[1].hash in response.text
    assert entries[0].hash in response.text  # as this entry's previous hash
    assert "Checks out." in response.text


def test_it_shows_when_the_entry_was_changed(org, lead, client_for):
    entries = make_entries(org, 3)
    tamper.set_content(entries[1], {"decision": "block"})
    response = client_for(lead).get(url(entries[1]))
    assert response.context["status"].result.problem == "edited"
    assert "Problem found in the contact log" in response.text
    assert "it was changed after it was written" in response.text


def test_it_shows_when_the_entry_before_was_deleted(org, lead, client_for):
    entries = make_entries(org, 3)
    tamper.delete_row(entries[0])
    response = client_for(lead).get(url(entries[1]))
    assert response.context["status"].result.problem == "missing"


def test_granted_trustees_may_view_an_entry(org, granted_trustee, client_for):
    entry = make_entries(org, 1)[0]
    assert client_for(granted_trustee).get(url(entry)).status_code == HTTPStatus.OK


def test_workers_may_not_view_an_entry(org, worker, client_for):
    entry = make_entries(org, 1)[0]
    assert client_for(worker).get(url(entry)).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_are_sent_to_log_in(org):
    entry = make_entries(org, 1)[0]
    assert Client().get(url(entry)).status_code == HTTPStatus.FOUND


def test_another_organisations_entry_is_not_found(org, other_org, lead, client_for):
    theirs = make_entries(other_org, 1)[0]
    assert client_for(lead).get(url(theirs)).status_code == HTTPStatus.NOT_FOUND


def test_an_unknown_entry_is_not_found(lead, client_for):
    response = client_for(lead).get(reverse("ledger:detail", args=[uuid.uuid4()]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_refuses_post(org, lead, client_for):
    entry = make_entries(org, 1)[0]
    assert (
        client_for(lead).post(url(entry)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    )
