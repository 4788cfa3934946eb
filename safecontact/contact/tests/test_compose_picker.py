"""Picking recipients among hundreds: search, checkboxes, pages, no JavaScript."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.accounts.tests.factories import PASSWORD
from safecontact.contact.tests.conftest import make_family
from safecontact.people.tests.factories import purpose_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(org, sender):
    """Sixty families the worker may write to."""
    return [make_family(org) for _ in range(60)]


def _form(family, **changes):
    data = {
        "channel": "email",
        "purpose": str(purpose_named(family.child.organisation).code),
        "subject": "Thursday",
        "body": "See you at youth club on Thursday at 7.",
    }
    data.update(changes)
    return data


def test_the_picker_shows_one_page_of_checkboxes(client_for, worker, many):
    html = client_for(worker).get(reverse("contact:compose")).content.decode()
    assert html.count('type="checkbox" name="recipients"') == 25
    assert "Page 1 of" in html and "Next page" in html


def test_a_search_keeps_what_was_written_and_who_was_chosen(
    client_for, worker, family, many
):
    chosen = many[0].child
    data = _form(
        family, q=family.child.first_name, action="search", recipients=[chosen.code]
    )
    page = client_for(worker).post(reverse("contact:compose"), data)
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert f'value="{family.child.code}"' in html
    assert "See you at youth club on Thursday at 7." in html
    assert f'type="hidden" name="recipients" value="{chosen.code}"' in html
    assert "error-summary" not in html


def test_turning_a_page_keeps_the_form(client_for, worker, family, many):
    data = _form(family, page="2")
    html = client_for(worker).post(reverse("contact:compose"), data).content.decode()
    assert "Page 2 of" in html and "Thursday" in html


def test_a_search_that_finds_nobody_says_so(client_for, worker, family):
    data = _form(family, q="Zzzz", action="search")
    html = client_for(worker).post(reverse("contact:compose"), data).content.decode()
    assert "Nobody you may write to matches" in html


def test_a_bad_page_number_shows_a_page(client_for, worker, family, many):
    data = _form(family, page="banana", recipients=["not-a-code"])
    page = client_for(worker).post(reverse("contact:compose"), data)
    assert page.status_code == HTTPStatus.OK


@pytest.mark.browser
def test_a_worker_finds_and_ticks_a_child_among_many(
    transactional_db, page, axe_check, worker, sender, family, many
):
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(reverse("contact:compose"))
    page.locator("#id_body").fill("See you at youth club on Thursday.")
    page.get_by_label("Search by name").fill(family.child.first_name)
    page.get_by_role("button", name="Search").click()
    assert (
        page.locator("#id_body").input_value() == "See you at youth club on Thursday."
    )
    page.get_by_label(f"{family.child} (Child or young person)").check()
    axe_check(page)
    page.locator("#id_purpose").select_option(label="Youth group")
    page.get_by_role("button", name="Check").click()
    assert "Can be sent" in page.get_by_test_id("decision").inner_text()
    axe_check(page)
