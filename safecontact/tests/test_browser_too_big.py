"""A form over the size limit shows the site's own 413 page, which passes axe."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_form_over_the_limit_shows_a_plain_page(page, axe_check, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    page.goto("/account/login/")
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password").fill("x" * (3 * 1024 * 1024))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Too much to send at once").wait_for()
    assert "the most we accept is 2 MB" in page.content()
    axe_check(page)
