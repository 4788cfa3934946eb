"""The styled error pages pass axe, like every other page."""

from __future__ import annotations

import pytest

from safecontact.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_error_pages_are_accessible(page, axe_check, org) -> None:
    worker = UserFactory.create(role="worker", organisation=org)
    page.goto("/account/login/")
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "login" not in url)

    page.goto("/people/audit/")
    page.get_by_role("heading", name="You cannot open this page").wait_for()
    axe_check(page)

    page.goto("/people/00000000-0000-0000-0000-000000000000/")
    page.get_by_role("heading", name="Page not found").wait_for()
    axe_check(page)
