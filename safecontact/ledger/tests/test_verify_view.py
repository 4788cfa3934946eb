from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from safecontact.ledger.tests import tamper
from safecontact.ledger.tests.factories import make_entries

URL = reverse("ledger:verify")


def test_it_tells_the_lead_the_log_checks_out(org, lead, client_for):
    make_entries(org, 4)
    response = client_for(lead).get(URL)
    assert response.status_code == HTTPStatus.OK
    assert "OK: 4 entries verified." in response.text


def test_it_tells_the_lead_where_the_log_was_tampered_with(org, lead, client_for):
    entries = make_entries(org, 4)
    tamper.swap_seqs(entries[0], entries[2])
    response = client_for(lead).get(URL)
    assert "Problem found in the contact log" in response.text
    assert "Entry 1: entries were moved around from here on." in response.text


@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_other_roles_may_not_run_the_check(org, make_user, client_for, role):
    assert client_for(make_user(role, org)).get(URL).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_are_sent_to_log_in(db):
    assert Client().get(URL).status_code == HTTPStatus.FOUND


def test_it_refuses_post(lead, client_for):
    assert client_for(lead).post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
