"""In Chromium, on the demo: the Lead puts the Youth Group's attention-list
problems right through the pages, then a worker's group message to it goes.

Before purposes were a list, no wording passed both the group's and the
consents' checks, so every group message in the demo was blocked.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp

from safecontact.accounts.models import User
from safecontact.accounts.tests.factories import confirmed_totp_device
from safecontact.contact.models import Message
from safecontact.demo.register import PASSWORD, load_register, run_hooks
from safecontact.people.models import Person

# A Friday evening: inside the Youth Group's agreed hours (Wed and Fri 17-21).
FRIDAY_6PM = dt.datetime(2026, 3, 13, 18, 0, tzinfo=ZoneInfo("Europe/London"))


def _log_in(page, username, device=None):
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Check code").click()


def _youth_group_items(page):
    """Every attention-list item about the Youth Group, one kind a page."""
    from safecontact.people.selectors import CATEGORIES

    rows = []
    for key in CATEGORIES:
        page.goto(reverse("people:attention") + f"?category={key}")
        if page.get_by_role("heading", name=CATEGORIES[key], exact=False).count():
            rows += (
                page.locator("main table").nth(1).locator("tbody tr").all_inner_texts()
            )
    return [row for row in dict.fromkeys(rows) if "Youth Group" in row]


def _record_noahs_consent(page, noah):
    page.goto(reverse("people:consent", args=[noah.code]))
    page.get_by_label("Given by (parent or carer)").select_option(label="Ravi Patel")
    channels = page.get_by_role("group", name="Ways contact is agreed")
    channels.get_by_label("Email", exact=True).check()
    for purpose in ("Group notices and arrangements", "Trips and events"):
        page.get_by_label(purpose, exact=True).check()
    page.get_by_label("Youth Group", exact=True).check()
    for day in ("Wednesday", "Friday"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("Any cleared worker").check()
    photos = page.get_by_role("group", name="May photos of them be shared?")
    photos.get_by_label("No", exact=True).check()
    page.get_by_label("Date of the evidence").fill(f"{FRIDAY_6PM:%Y-%m-%d}")
    page.get_by_role("button", name="Record consent").click()
    assert "Consent in force: Yes" in page.locator("main").inner_text()


@pytest.mark.browser
def test_once_the_youth_group_is_put_right_a_group_message_to_it_is_sent(
    transactional_db, page, axe_check
):
    with time_machine.travel(FRIDAY_6PM, tick=True):
        demo = load_register()
        run_hooks(demo.organisation)
        lead = User.objects.get(username="lead")
        _log_in(page, "lead", confirmed_totp_device(lead))
        problems = _youth_group_items(page)
        assert len(problems) == 4, problems
        axe_check(page)

        page.goto(reverse("groups:purposes"))
        assert page.get_by_role("heading", name="Purposes", exact=True).count() == 1
        axe_check(page)

        youth = demo.organisation.groups.get(name="Youth Group")
        page.goto(youth.get_absolute_url())
        for name in ("Oliver Clarke", "Peter Lamb", "Ravi Patel"):
            page.get_by_role("button", name=f"Remove {name}").click()
            assert f"{name} removed from Youth Group." in page.inner_text("main")
        noah = Person.objects.get(organisation=demo.organisation, first_name="Noah")
        _record_noahs_consent(page, noah)
        assert _youth_group_items(page) == []

        _log_in(page, "worker")
        page.goto(reverse("contact:compose"))
        page.locator("#id_group").select_option(label="Youth Group")
        page.locator("#id_purpose").select_option(
            label="Group notices and arrangements"
        )
        page.locator("#id_subject").fill("Friday")
        page.locator("#id_body").fill("See you all at seven tonight.")
        page.get_by_role("button", name="Check").click()
        decision = page.get_by_test_id("decision").inner_text()
        assert "Can be sent" in decision, decision
        axe_check(page)
        page.get_by_role("button", name="Send").click()
        sent = Message.objects.get(group=youth)
        assert sent.status == Message.Status.QUEUED, sent.decision
        assert sent.purpose.name == "Group notices and arrangements"
