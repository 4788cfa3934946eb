"""In Chromium: the check step shows the decision before sending; blocked
messages say how to put them right; every page passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp

from safecontact.accounts.tests.factories import PASSWORD, confirmed_totp_device
from safecontact.contact.models import Message
from safecontact.contact.tests.smtp import send
from safecontact.people.tests.factories import purpose_named

SECRET = "This is our little secret, don't tell your mum. Add me on snapchat instead."


def _log_in(page, user, device=None):
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Check code").click()


def _compose(page, child, purpose, channel="Email"):
    page.goto(reverse("contact:compose"))
    page.get_by_label(f"{child} (Child or young person)").check()
    page.locator("#id_channel").select_option(label=channel)
    page.locator("#id_purpose").select_option(label=purpose)
    page.locator("#id_subject").fill("Thursday")
    page.locator("#id_body").fill("See you at youth club on Thursday.")
    page.get_by_role("button", name="Check").click()


@pytest.mark.browser
def test_a_worker_sees_the_decision_before_sending(
    transactional_db, page, axe_check, worker, sender, family
):
    football = purpose_named(family.child.organisation, "Football")
    _log_in(page, worker)
    _compose(page, family.child, "Youth group")
    decision = page.get_by_test_id("decision")
    assert "Can be sent, with changes" in decision.inner_text()
    assert "a parent/carer will be copied in" in decision.inner_text()
    assert not Message.objects.exists()
    axe_check(page)
    page.get_by_role("button", name="Send").click()
    assert page.locator("h1").inner_text() == "Thursday"
    assert Message.objects.get().status == Message.Status.QUEUED
    axe_check(page)

    _compose(page, family.child, football.name)
    assert "does not allow Football" in page.locator(".error-summary").inner_text()
    axe_check(page)

    _compose(page, family.child, "Youth group", channel="SafeContact inbox")
    decision = page.get_by_test_id("decision")
    assert "Cannot be sent" in decision.inner_text()
    assert "How to put it right" in decision.inner_text()
    assert page.get_by_role("button", name="Send").count() == 0
    axe_check(page)
    for name in ("contact:sent", "contact:inbox", "contact:overview"):
        page.goto(reverse(name))
        axe_check(page)


@pytest.mark.browser
def test_the_leads_queues_are_accessible(
    transactional_db, page, axe_check, lead, worker, sender, family
):
    held = send(worker, [family.child], body=SECRET)
    _log_in(page, lead, confirmed_totp_device(lead))
    page.goto(reverse("contact:alerts"))
    assert page.locator("mark").count() >= 1
    axe_check(page)
    for url in (
        reverse("contact:held"),
        reverse("contact:outbox"),
        reverse("contact:quarantine"),
        reverse("contact:overview"),
        held.alerts.get().get_absolute_url(),
        held.get_absolute_url(),
    ):
        page.goto(url)
        assert page.locator("h1").count() == 1
        axe_check(page)
