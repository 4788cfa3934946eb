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


def test_it_shows_the_newest_checkpoint_and_checks_only_what_came_after(
    org, lead, client_for
):
    from django.core.management import call_command

    make_entries(org, 3)
    call_command("checkpoint_ledger", stdout=None)
    make_entries(org, 2)
    text = client_for(lead).get(URL).text
    assert "the log had 3 entries" in text
    assert "OK: 2 new entries verified since the signed checkpoint" in text
    assert "python manage.py verify_ledger" in text


def test_it_does_not_check_more_entries_than_a_page_can(
    org, lead, client_for, monkeypatch
):
    from safecontact.ledger import selectors

    monkeypatch.setattr(selectors, "REQUEST_CHECK_LIMIT", 3)
    make_entries(org, 4)
    text = client_for(lead).get(URL).text
    assert "4 entries were added since the newest checkpoint" in text
    assert "OK:" not in text


def test_it_finds_entries_cut_off_since_the_checkpoint(org, lead, client_for):
    from django.core.management import call_command

    entries = make_entries(org, 3)
    call_command("checkpoint_ledger", stdout=None)
    tamper.delete_row(entries[-1])
    text = client_for(lead).get(URL).text
    assert "Problem found in the contact log" in text
    assert "entries were removed from the end of the log" in text


def test_it_says_when_the_checkpoint_file_was_changed(org, lead, client_for):
    from django.core.management import call_command

    from safecontact.ledger import checkpoints

    make_entries(org, 2)
    call_command("checkpoint_ledger", stdout=None)
    path = checkpoints.path_for(str(org.code))
    path.write_text(path.read_text() + "not a checkpoint\n")
    text = client_for(lead).get(URL).text
    assert "The checkpoints cannot be trusted" in text
