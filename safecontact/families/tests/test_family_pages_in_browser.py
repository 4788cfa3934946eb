"""In Chromium: a parent gives and withdraws consent on their family page, and
an adult at risk says yes on the Easy Read page. The journeys run with
JavaScript off at phone width; every page is axe clean at 375px and on a
desktop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from safecontact.contact.models import Message
from safecontact.contact.services import deliver_due
from safecontact.contact.tests.conftest import LONDON
from safecontact.contact.tests.smtp import send
from safecontact.families.tests.conftest import link_for
from safecontact.people.models import Consent
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    ParentFactory,
    RelationshipFactory,
    purpose_named,
)

TUESDAY_10PM = dt.datetime(2026, 3, 10, 22, 0, tzinfo=LONDON)
WEDNESDAY_8_30AM = dt.datetime(2026, 3, 11, 8, 30, tzinfo=LONDON)
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone-sized browser with JavaScript off: the pages must work as is."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _axe_everywhere(browser: Any, live_server: Any, axe_check: Any, path: str) -> None:
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        page.goto(path)
        axe_check(page)
        context.close()


@pytest.mark.browser
def test_a_parent_gives_then_withdraws_consent_in_the_browser_consent_current(
    transactional_db,
    browser,
    live_server,
    phone,
    axe_check,
    org,
    worker,
    sender,
    smtp,
    _tuesday_morning,
):
    child = ChildFactory.create(organisation=org, email="kit@kids.example.org")
    parent = ParentFactory.create(organisation=org)
    RelationshipFactory.create(person=child, carer=parent)
    purpose = purpose_named(org)
    path = link_for(parent)
    assert send(worker, [child]).status == Message.Status.BLOCKED

    phone.goto(path)
    assert "No consent is on record" in phone.content()
    _axe_everywhere(browser, live_server, axe_check, path)
    phone.get_by_role("link", name=f"Give consent for {child.first_name}").click()
    _axe_everywhere(browser, live_server, axe_check, phone.url)
    phone.get_by_label("Email", exact=True).check()
    phone.get_by_label(purpose.name).check()
    phone.get_by_label("Yes", exact=True).check()
    phone.get_by_label("Where photos may be shared").fill("The newsletter")
    phone.get_by_role("button", name="Give consent").click()
    expect(phone.get_by_role("status")).to_contain_text("is recorded")
    _axe_everywhere(browser, live_server, axe_check, path)
    assert send(worker, [child]).status == Message.Status.QUEUED

    _tuesday_morning.move_to(TUESDAY_10PM)
    waiting = send(worker, [child])
    assert waiting.status == Message.Status.DEFERRED
    phone.goto(path)
    phone.get_by_role("button", name=f"Withdraw consent for {child.first_name}").click()
    expect(phone.get_by_role("status")).to_contain_text("is withdrawn")
    assert child.consents.first().status == Consent.Status.WITHDRAWN
    _tuesday_morning.move_to(WEDNESDAY_8_30AM)
    deliver_due()
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.STOPPED
    assert "consent.current" in [r["rule_id"] for r in waiting.recheck["stopped_by"]]


@pytest.mark.browser
def test_an_adult_at_risk_says_yes_on_the_easy_read_page(
    transactional_db, browser, live_server, phone, axe_check, org
):
    adult = AdultAtRiskFactory.create(organisation=org)
    purpose = purpose_named(org)
    path = link_for(adult)
    phone.goto(path)
    assert "Do you want us to contact you?" in phone.content()
    _axe_everywhere(browser, live_server, axe_check, path)
    phone.get_by_label("Email", exact=True).check()
    phone.get_by_label(purpose.name).check()
    phone.get_by_role("button", name="Yes, you can contact me").click()
    expect(phone.get_by_text("You said yes")).to_be_visible()
    consent = adult.consents.get()
    assert consent.kind == Consent.Kind.ADULT
    assert consent.evidence == Consent.Evidence.ONLINE
    _axe_everywhere(browser, live_server, axe_check, path)
    # How they like messages: used by delivery (test_access_preferences.py).
    phone.get_by_label("Big writing in emails").check()
    phone.get_by_label("By email").check()
    phone.get_by_role("button", name="Save how I like my messages").click()
    expect(phone.get_by_role("status")).to_contain_text("send messages your way")
    adult.refresh_from_db()
    assert adult.large_print
    assert phone.get_by_label("Big writing in emails").is_checked()
