"""The Lead publishes a policy, a worker acknowledges it, the attention list clears."""

from __future__ import annotations

import pytest

from safecontact.accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.people.tests.factories import WorkerFactory
from safecontact.people.tests.test_browser_register import _log_in_with_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_acknowledge_and_the_attention_list_clears(
    browser, live_server, page, axe_check, org
):
    lead = UserFactory.create(role="lead", organisation=org)
    worker = UserFactory.create(role="worker", organisation=org)
    WorkerFactory.create(organisation=org, user=worker, first_name="Wendy")
    _log_in_with_two_factor(page, axe_check, lead, confirmed_totp_device(lead))

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Policies"
    ).click()
    axe_check(page)
    page.get_by_role("link", name="Add a policy").click()
    axe_check(page)
    page.get_by_label("Code of conduct for online contact", exact=False).check()
    page.get_by_role("button", name="Create a draft").click()
    axe_check(page)
    page.get_by_label("Workers cannot contact anyone", exact=False).check()
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("link", name="Publish the draft").click()
    axe_check(page)
    page.get_by_role("button", name="Publish version 1").click()
    page.get_by_text("is now in force").wait_for()
    axe_check(page)

    page.goto("/people/attention/")
    page.get_by_role("heading", name="Policies not yet acknowledged (1)").wait_for()
    page.get_by_role("link", name="See who has read it").click()
    axe_check(page)

    other = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}
    )
    phone = other.new_page()
    phone.goto("/account/login/")
    phone.get_by_label("Username").fill(worker.username)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.goto("/policies/")
    phone.get_by_text("You have 1 policy to read and acknowledge").wait_for()
    axe_check(phone)
    phone.get_by_role("link", name="Code of conduct for online contact").click()
    axe_check(phone)
    phone.get_by_role("button", name="I have read and understood this policy").click()
    phone.get_by_text("Thank you. You have acknowledged").wait_for()
    other.close()

    page.goto("/people/attention/")
    assert page.get_by_text("Policies not yet acknowledged").count() == 0
