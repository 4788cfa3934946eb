"""In Chromium: the Lead's consent requests pages. With JavaScript off at
phone width the Lead picks children (search, ticks kept), sends, follows the
batch and reminds, and sends a renewal request from the attention list; every
page is axe clean at 375px and on a desktop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import expect

from safecontact.accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.contact.tests.conftest import make_family
from safecontact.families.models import ConsentRequest
from safecontact.families.requests import send_batch
from safecontact.people.tests.factories import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def no_js(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _log_in(page: Any, user: Any) -> None:
    device = confirmed_totp_device(user)
    page.goto("/account/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/two-factor/**")
    page.get_by_label("6-digit code", exact=False).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.wait_for_url(lambda url: "two-factor" not in url and "login" not in url)


def _axe_everywhere(
    browser: Any, live_server: Any, axe_check: Any, signed_in: Any, path: str
) -> None:
    """axe (it needs JavaScript) with the no-JS page's session, at both sizes."""
    state = signed_in.context.storage_state()
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, storage_state=state
        )
        page = context.new_page()
        page.goto(path)
        axe_check(page)
        context.close()


def test_the_lead_asks_chosen_families_and_follows_the_batch_without_javascript(
    browser, live_server, no_js, axe_check, org
):
    lead = UserFactory.create(organisation=org, role="lead")
    families = [make_family(org) for _ in range(30)]
    wanted, other = families[3].child, families[27].child
    _log_in(no_js, lead)

    no_js.goto(reverse("families:requests"))
    _axe_everywhere(browser, live_server, axe_check, no_js, no_js.url)
    no_js.get_by_role("link", name="Choose children and adults at risk").click()
    _axe_everywhere(browser, live_server, axe_check, no_js, no_js.url)
    expect(no_js.get_by_text("Page 1 of 2")).to_be_visible()
    no_js.get_by_role("button", name="Next page").click()
    expect(no_js.get_by_text("Page 2 of 2")).to_be_visible()
    no_js.get_by_label("Search by name").fill(wanted.first_name)
    no_js.get_by_role("button", name="Search").click()
    no_js.get_by_label(f"{wanted} (Child or young person)", exact=True).check()
    no_js.get_by_label("Search by name").fill(other.first_name)
    no_js.get_by_role("button", name="Search").click()
    expect(no_js.get_by_text(f"Also chosen: {wanted}")).to_be_visible()
    no_js.get_by_label(f"{other} (Child or young person)", exact=True).check()
    no_js.get_by_role("button", name="Send consent requests").click()

    expect(no_js.get_by_role("heading", level=1)).to_contain_text("2 people chosen")
    expect(no_js.get_by_text("0 of 2 sent; 0 answered.")).to_be_visible()
    batch = ConsentRequest.objects.first().batch
    assert {r.subject for r in ConsentRequest.objects.all()} == {wanted, other}
    _axe_everywhere(browser, live_server, axe_check, no_js, no_js.url)
    send_batch(batch)
    no_js.get_by_role("link", name="Refresh this page").click()
    expect(no_js.get_by_text("2 of 2 sent; 0 answered.")).to_be_visible()
    no_js.get_by_role(
        "button", name="Send reminders to those who have not answered"
    ).click()
    expect(no_js.get_by_role("status")).to_contain_text("Reminders are being sent")
    _axe_everywhere(browser, live_server, axe_check, no_js, no_js.url)


def test_choosing_nobody_shows_the_error_summary(
    browser, live_server, no_js, axe_check, org
):
    lead = UserFactory.create(organisation=org, role="lead")
    make_family(org)
    _log_in(no_js, lead)
    no_js.goto(reverse("families:choose"))
    no_js.get_by_role("button", name="Send consent requests").click()
    summary = no_js.locator(".error-summary")
    expect(summary).to_contain_text("Choose at least one person.")
    # Axe on the error state, at both sizes (a fresh POST in each context).
    state = no_js.context.storage_state()
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, storage_state=state
        )
        page = context.new_page()
        page.goto(reverse("families:choose"))
        page.get_by_role("button", name="Send consent requests").click()
        expect(page.locator(".error-summary")).to_be_visible()
        axe_check(page)
        context.close()


def test_a_renewal_request_from_the_attention_list_without_javascript(
    browser, live_server, no_js, axe_check, org
):
    lead = UserFactory.create(organisation=org, role="lead")
    fam = make_family(org, expires_on=today() + dt.timedelta(days=12))
    _log_in(no_js, lead)
    no_js.goto(reverse("people:attention") + "?category=consent_renewal")
    _axe_everywhere(browser, live_server, axe_check, no_js, no_js.url)
    no_js.get_by_role("button", name=f"Send a renewal request for {fam.child}").click()
    expect(no_js.get_by_role("status")).to_contain_text("is being sent")
    expect(no_js.get_by_role("link", name="See who has answered")).to_be_visible()
    assert ConsentRequest.objects.get().renews == fam.consent
    _axe_everywhere(browser, live_server, axe_check, no_js, no_js.url)
