"""In Chromium, from an empty database: an organisation is created, its Lead
signs up from the emailed invitation with two-factor, works through the first
steps, invites a worker who signs up and sends a first message; and a Lead
who lost their phone is reset by another Lead. Every new page passes axe."""

from __future__ import annotations

import base64
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.tests.factories import PASSWORD, confirmed_totp_device
from safecontact.audittrail.models import AuditEntry
from safecontact.contact.models import Message
from safecontact.contact.tests.conftest import make_family
from safecontact.people.tests.factories import WorkerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TUESDAY_10AM = dt.datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))
STRONG = "a long walk by the river"


def _invitation_path(mail) -> str:
    return re.search(r"https?://[^/]+(/account/invitation/\S+/)", mail.body).group(1)


def _set_password(page, axe_check, path: str) -> None:
    page.goto(path)
    axe_check(page)
    page.get_by_label("New password confirmation").fill(STRONG)
    page.locator("#id_new_password1").fill(STRONG)
    page.get_by_role("button", name="Set my password").click()


def _set_up_two_factor(page, axe_check) -> list[str]:
    page.wait_for_url("**/two-factor/**")
    axe_check(page)
    assert page.locator(".qr svg").count() == 1
    secret = page.get_by_test_id("totp-secret").inner_text()
    key = base64.b32decode(secret)
    page.get_by_label("6-digit code", exact=False).fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Check code").click()
    codes = page.get_by_test_id("backup-codes").locator("code").all_inner_texts()
    axe_check(page)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    return codes


def _progress(page) -> str:
    page.goto(reverse("accounts:first_run"))
    return page.get_by_test_id("progress").inner_text()


def test_a_new_organisation_starts_from_an_empty_database(
    page, browser, live_server, axe_check, mailoutbox
):
    traveller = time_machine.travel(TUESDAY_10AM, tick=True)
    traveller.start()
    try:
        _new_organisation_to_first_message(
            page, browser, live_server, axe_check, mailoutbox
        )
    finally:
        traveller.stop()


def _new_organisation_to_first_message(
    page, browser, live_server, axe_check, mailoutbox
) -> None:
    assert not Organisation.objects.exists()
    call_command(
        "create_organisation",
        name="St Anne's Youth",
        timezone="Europe/London",
        lead_email="lena@example.org",
    )
    org = Organisation.objects.get()
    _set_password(page, axe_check, _invitation_path(mailoutbox[0]))
    codes = _set_up_two_factor(page, axe_check)
    assert len(codes) == 10

    assert _progress(page) == "0 of 6 done"
    axe_check(page)
    page.get_by_role("link", name="Check your settings").click()
    axe_check(page)
    page.get_by_label("Block the message").check()
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save settings").click()
    assert "not a time zone we know" in page.locator(".error-summary").inner_text()
    axe_check(page)
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_role("button", name="Save settings").click()
    assert "Settings saved" in page.locator(".messages").inner_text()
    assert _progress(page) == "1 of 6 done"

    # The register entries (pages of other parts) come from factories.
    wes = WorkerFactory.create(
        organisation=org, first_name="Wes", last_name="Worker", email="wes@example.org"
    )
    family = make_family(org)
    assert _progress(page) == "2 of 6 done"  # a worker is on the register

    page.goto(wes.get_absolute_url())
    page.get_by_role("link", name="Invite to log in").click()
    axe_check(page)
    page.get_by_label("Worker or volunteer").check()
    page.get_by_role("button", name="Send invitation").click()
    assert "emailed an invitation" in page.locator(".messages").inner_text()
    assert _progress(page) == "3 of 6 done"

    worker_context = browser.new_context(base_url=live_server.url)
    worker_page = worker_context.new_page()
    worker_page.set_default_timeout(15000)
    assert mailoutbox[-1].to == ["wes@example.org"]
    _set_password(worker_page, axe_check, _invitation_path(mailoutbox[-1]))
    worker_page.wait_for_url(lambda url: "invitation" not in url)
    worker_page.goto(reverse("contact:compose"))
    worker_page.get_by_label(f"{family.child} (Child or young person)").check()
    worker_page.locator("#id_channel").select_option(label="Email")
    worker_page.locator("#id_purpose").select_option(label="Youth group")
    worker_page.locator("#id_subject").fill("Welcome")
    worker_page.locator("#id_body").fill("See you at youth club on Thursday.")
    worker_page.get_by_role("button", name="Check").click()
    worker_page.get_by_role("button", name="Send").click()
    assert worker_page.locator("h1").inner_text() == "Welcome"
    message = Message.objects.get()
    assert message.sender.user == User.objects.get(email="wes@example.org")
    worker_context.close()


def test_another_lead_resets_a_lost_phone(page, browser, live_server, axe_check):
    org = Organisation.objects.create(name="St Bede's")
    lena = User.objects.create_user(
        username="lena", password=PASSWORD, organisation=org, role="lead"
    )
    dev = User.objects.create_user(
        username="dev", password=PASSWORD, organisation=org, role="deputy"
    )
    device = confirmed_totp_device(lena)
    confirmed_totp_device(dev)  # on the phone Dev lost

    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("6-digit code", exact=False).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.wait_for_url(lambda url: "two-factor" not in url)
    page.goto(reverse("accounts:logins"))
    axe_check(page)
    page.get_by_role("button", name="Reset lost phone for dev").click()
    assert "set up the two-step check again" in page.locator(".messages").inner_text()
    assert AuditEntry.objects.filter(actor=lena, model="accounts.user").exists()

    dev_context = browser.new_context(base_url=live_server.url)
    dev_page = dev_context.new_page()
    dev_page.goto(reverse("accounts:login"))
    dev_page.get_by_label("Username").fill("dev")
    dev_page.get_by_label("Password").fill(PASSWORD)
    dev_page.get_by_role("button", name="Log in").click()
    codes = _set_up_two_factor(dev_page, axe_check)
    assert len(codes) == 10
    dev_page.goto(reverse("people:attention"))
    assert "two-factor" not in dev_page.url
    dev_context.close()
