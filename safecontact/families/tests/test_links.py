"""Family links: one person, expiring, replaced by a newer one, unguessable,
asked for by email address without saying whether the address is known, and
rate-limited."""

from __future__ import annotations

import datetime as dt
import secrets
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from safecontact.contact.tests.conftest import make_family
from safecontact.families.models import FamilyLink
from safecontact.families.services import (
    REQUESTS_PER_ADDRESS_PER_HOUR,
    REQUESTS_PER_HOUR,
    issue_link,
)
from safecontact.families.tests.conftest import body_of, link_for, token_in
from safecontact.people.models import Consent

DOES_NOT_WORK = "This link does not work"


def _home(token: str) -> str:
    return reverse("families:home", args=[token])


def test_a_parent_asks_for_a_link_and_it_arrives_by_email(
    client, family, smtp, mailing
):
    with mailing():
        response = client.post(
            reverse("families:request"), {"email": family.parent.email}
        )
    assert response.status_code == HTTPStatus.OK
    assert "Check your email" in response.text
    [received] = smtp.mailbox.for_address(family.parent.email)
    page = client.get(_home(token_in(body_of(received))))
    assert page.status_code == HTTPStatus.OK
    assert family.child.first_name in page.text
    assert DOES_NOT_WORK not in page.text


def test_asking_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, family, smtp
):
    known = client.post(reverse("families:request"), {"email": family.parent.email})
    unknown = client.post(reverse("families:request"), {"email": "nobody@example.net"})
    assert known.status_code == unknown.status_code == HTTPStatus.OK
    assert known.text.replace(family.parent.email, "X") == unknown.text.replace(
        "nobody@example.net", "X"
    )
    assert smtp.mailbox.for_address("nobody@example.net") == []


def test_only_a_hash_of_the_token_is_stored(family):
    path = link_for(family.parent)
    token = path.strip("/").split("/")[-1]
    link = FamilyLink.objects.get(person=family.parent)
    assert token not in link.token_hash
    assert len(link.token_hash) == 64


def test_a_link_does_not_work_after_it_expires(client, family, _tuesday_morning):
    path = link_for(family.parent)
    _tuesday_morning.shift(dt.timedelta(days=15))
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert DOES_NOT_WORK in response.text
    assert family.child.first_name not in response.text


def test_a_link_does_not_work_after_a_newer_one_replaces_it(client, family):
    old = link_for(family.parent)
    new = link_for(family.parent)
    assert DOES_NOT_WORK in client.get(old).text
    assert family.child.first_name in client.get(new).text


def test_guessing_gives_the_same_page_as_a_dead_link(client, family):
    guesses = [secrets.token_urlsafe(32), "x", "a" * 300, "..%2f"]
    for guess in guesses:
        response = client.get(_home(guess))
        assert response.status_code == HTTPStatus.OK
        assert DOES_NOT_WORK in response.text
        assert family.child.first_name not in response.text


def test_a_link_cannot_be_used_for_another_family(client, org, family):
    other = make_family(org)
    path = link_for(family.parent)
    token = path.strip("/").split("/")[-1]
    consent_url = reverse("families:consent", args=[token, other.child.code])
    page = client.get(consent_url)
    assert DOES_NOT_WORK in page.text
    assert other.child.first_name not in page.text
    client.post(reverse("families:withdraw", args=[token, other.child.code]))
    assert other.child.consents.first().status == Consent.Status.GIVEN


def test_the_page_shows_no_other_persons_data(client, org, family, sender):
    other = make_family(org)
    for someone, first, last in (
        (other.child, "Zebedee", "Quintrell"),
        (other.parent, "Ophelia", "Quintrell"),
        (sender, "Wes", "Varga-Hollis"),
    ):
        someone.first_name, someone.last_name = first, last
        someone.save()
    page = client.get(link_for(family.parent)).text
    for secret in (
        other.child.first_name,
        other.parent.first_name,
        other.parent.email,
        sender.last_name,
        sender.email,
        other.child.last_name,
    ):
        assert secret not in page


def test_a_link_for_another_organisation_shows_nothing_of_this_one(
    client, org, other_org, family
):
    theirs = make_family(other_org)
    page = client.get(link_for(theirs.parent)).text
    assert theirs.child.first_name in page
    assert family.child.first_name not in page


def test_requests_from_one_address_are_rate_limited(client, family, smtp):
    for n in range(REQUESTS_PER_HOUR):
        response = client.post(
            reverse("families:request"), {"email": f"someone{n}@example.net"}
        )
        assert response.status_code == HTTPStatus.OK
    response = client.post(reverse("families:request"), {"email": family.parent.email})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert smtp.mailbox.for_address(family.parent.email) == []


def test_requests_for_one_email_address_are_rate_limited(family, smtp, mailing):
    for n in range(REQUESTS_PER_ADDRESS_PER_HOUR):
        with mailing():
            response = Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
                reverse("families:request"), {"email": family.parent.email}
            )
        assert response.status_code == HTTPStatus.OK
    response = Client(REMOTE_ADDR="192.0.2.99").post(
        reverse("families:request"), {"email": family.parent.email}
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert len(smtp.mailbox.for_address(family.parent.email)) == (
        REQUESTS_PER_ADDRESS_PER_HOUR
    )


def test_a_bad_email_address_gets_a_clear_error(client, db):
    response = client.post(reverse("families:request"), {"email": "not an address"})
    assert response.status_code == HTTPStatus.OK
    assert "Enter a valid email address" in response.text


def test_links_go_only_to_parents_carers_and_adults_at_risk(family):
    with pytest.raises(ValueError, match="parents, carers and adults at risk"):
        issue_link(actor=None, person=family.child)
