"""The case page: sections with a contents list, one error summary at the top."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import expect

from safecontact.accounts.tests.factories import PASSWORD, confirmed_totp_device
from safecontact.concerns.tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_a_bad_entry_is_named_in_one_summary_at_the_top(client_for, org, lead):
    case = make_case(org)
    client = client_for(lead)
    page = client.post(reverse("concerns:add_entry", args=[case.code]), {"text": ""})
    assert page.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = page.content.decode()
    assert html.count('class="error-summary"') == 1
    top = html.split("<h1>")[1].split('aria-label="On this page"')[0]
    assert "There is a problem" in top
    assert 'href="#id_text">What happened: This field is required.' in top
    assert "js/error-summary.js" in top and "<script>" not in html


def test_the_case_page_lists_its_sections(client_for, org, lead):
    case = make_case(org)
    html = client_for(lead).get(case.get_absolute_url()).content.decode()
    assert 'aria-label="On this page"' in html
    assert 'href="#referrals-heading"' in html and 'id="referrals-heading"' in html
    assert "error-summary" not in html


@pytest.mark.browser
def test_the_error_summary_takes_focus(transactional_db, page, axe_check, org, lead):
    device = confirmed_totp_device(lead)
    case = make_case(org)
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.goto(case.get_absolute_url())
    page.get_by_role("button", name="Add entry").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert "What happened" in summary.inner_text()
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_text")).to_be_focused()
    axe_check(page)
