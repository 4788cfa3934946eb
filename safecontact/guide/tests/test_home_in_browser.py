"""In Chromium: the volunteer's home page guides them and passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safecontact.accounts.tests.factories import PASSWORD


@pytest.mark.browser
def test_a_volunteer_lands_on_a_page_that_says_what_to_do(
    transactional_db, page, axe_check, worker, sender, group
):
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.locator("h1").inner_text().startswith("Hello")
    assert page.get_by_role("link", name="Write a message").is_visible()
    assert page.get_by_role("link", name=group.name).is_visible()
    assert page.locator('nav [aria-current="page"]').inner_text() == "Home"
    axe_check(page)
    page.get_by_text("Your account").click()
    page.get_by_role("link", name="Email notifications").click()
    assert page.locator("h1").inner_text() == "Email notifications"
    axe_check(page)
