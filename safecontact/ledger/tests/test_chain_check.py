"""Checking the whole contact log in the background, followed on its own page."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.ledger import services
from safecontact.ledger.models import ChainCheck
from safecontact.ledger.tests import tamper
from safecontact.ledger.tests.factories import make_entries

START = reverse("ledger:check_start")


def _start(client, django_capture_on_commit_callbacks) -> ChainCheck:
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(START)
    check = ChainCheck.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("ledger:check", args=[check.code])
    assert len(queued) == 1  # the task is queued once the request commits
    return check


def test_the_lead_follows_a_check_that_checks_out(
    org, lead, client_for, django_capture_on_commit_callbacks
):
    make_entries(org, 5)
    client = client_for(lead)
    check = _start(client, django_capture_on_commit_callbacks)
    waiting = client.get(reverse("ledger:check", args=[check.code])).text
    assert "Waiting to start: 0 of 0 entries checked" in waiting
    services.run_chain_check(check.pk)
    done = client.get(reverse("ledger:check", args=[check.code])).text
    assert "All 5 entries are in place" in done
    check.refresh_from_db()
    assert (check.status, check.ok, check.checked, check.total) == ("done", True, 5, 5)
    assert "it checked out" in client.get(reverse("ledger:verify")).text


def test_the_check_says_where_the_log_was_tampered_with(
    org, lead, client_for, django_capture_on_commit_callbacks
):
    entries = make_entries(org, 4)
    tamper.swap_seqs(entries[0], entries[2])
    client = client_for(lead)
    check = _start(client, django_capture_on_commit_callbacks)
    services.run_chain_check(check.pk)
    page = client.get(reverse("ledger:check", args=[check.code])).text
    assert "Problem found in the contact log" in page
    assert "Entry 1: entries were moved around from here on." in page


def test_a_second_request_follows_the_check_already_waiting(
    org, lead, client_for, django_capture_on_commit_callbacks
):
    client = client_for(lead)
    first = _start(client, django_capture_on_commit_callbacks)
    assert client.post(START)["Location"] == reverse("ledger:check", args=[first.code])
    assert ChainCheck.objects.count() == 1


def test_a_check_runs_once(org, lead):
    check = services.request_chain_check(actor=lead, organisation=org)
    assert services.run_chain_check(check.pk) is not None
    assert services.run_chain_check(check.pk) is None


@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_other_roles_may_not_start_a_check(org, make_user, client_for, role):
    assert client_for(make_user(role, org)).post(START).status_code == (
        HTTPStatus.FORBIDDEN
    )


def test_another_organisations_check_is_not_found(other_org, lead, client_for):
    theirs = ChainCheck.objects.create(organisation=other_org)
    url = reverse("ledger:check", args=[theirs.code])
    assert client_for(lead).get(url).status_code == HTTPStatus.NOT_FOUND


def test_starting_needs_post(lead, client_for):
    assert client_for(lead).get(START).status_code == HTTPStatus.METHOD_NOT_ALLOWED
