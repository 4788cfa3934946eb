"""In Chromium: a Lead releases a held message that the rules now stop; the
Lead and the sender see why, in plain words, on accessible pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from safecontact.accounts.tests.factories import confirmed_totp_device
from safecontact.contact.models import Message
from safecontact.contact.tests.smtp import send
from safecontact.contact.tests.test_compose_in_browser import SECRET, _log_in
from safecontact.people.services import withdraw_consent


@pytest.mark.browser
def test_a_release_that_the_rules_now_stop_says_why_consent_current(
    transactional_db, page, axe_check, lead, worker, sender, family
):
    held = send(worker, [family.child], body=SECRET)
    withdraw_consent(
        actor=lead,
        subject=family.child,
        evidence="verbal",
        evidence_date=dt.date(2026, 3, 3),
    )
    _log_in(page, lead, confirmed_totp_device(lead))
    page.goto(reverse("contact:held"))
    page.get_by_role("button", name="Release").first.click()
    held.refresh_from_db()
    assert held.status == Message.Status.STOPPED
    recheck = page.get_by_test_id("recheck")
    assert "withdrawn on 3 March 2026" in recheck.inner_text()
    assert "consent.current" not in page.content()
    axe_check(page)
    page.goto(reverse("contact:held"))
    assert "Stopped before they left" in page.content()
    axe_check(page)
    page.context.clear_cookies()
    _log_in(page, worker)
    page.goto(reverse("contact:sent"))
    assert "withdrawn on 3 March 2026" in page.content()
    axe_check(page)
