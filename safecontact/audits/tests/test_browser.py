"""The Lead uploads a made-up export for a group, sees the unknown adult and
the out-of-hours messages, and acts on a finding in one click each: raises a
concern, raises an alert and puts it on the attention list."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from safecontact.accounts.tests.factories import UserFactory, confirmed_totp_device
from safecontact.audits.tests.exports import EVENING, at, chat, write
from safecontact.concerns.models import Case
from safecontact.groups.tests.factories import GroupFactory
from safecontact.people.tests.factories import WorkerFactory
from safecontact.people.tests.test_browser_register import _log_in_with_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_an_export_and_act_on_a_finding(page, axe_check, org, tmp_path: Path):
    lead = UserFactory.create(role="lead", organisation=org)
    GroupFactory.create(organisation=org, name="Youth WhatsApp", hours=EVENING)
    WorkerFactory.create(organisation=org, first_name="Wendy", last_name="Leader")
    export = write(
        tmp_path / "WhatsApp Chat with Youth WhatsApp.txt",
        chat(
            [
                (at(18, 5), "Wendy Leader", "See you all on Sunday"),
                (at(18, 6), "Mystery Visitor", "hello everyone"),
                (at(23, 40), "Wendy Leader", "Still awake? Reminder about the trip"),
            ]
        ),
    )
    _log_in_with_two_factor(page, axe_check, lead, confirmed_totp_device(lead))

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Group audits"
    ).click()
    axe_check(page)
    page.get_by_role("link", name="Audit a group chat").click()
    page.get_by_label("Which group is this chat?").select_option(label="Youth WhatsApp")
    page.get_by_label("The chat export").set_input_files(str(export))
    axe_check(page)
    page.get_by_role("button", name="Upload and audit").click()
    page.get_by_text("This page updates itself").wait_for()
    axe_check(page)

    call_command("db_worker", batch=True, verbosity=0)
    # The page refreshes itself (no JavaScript needed) and shows the report.
    page.get_by_role("heading", name="Someone not in the register (1)").wait_for()
    page.get_by_role("heading", name="Mystery Visitor").wait_for()
    page.get_by_role("heading", name="Messages outside agreed hours (1)").wait_for()
    page.get_by_text("Still awake? Reminder about the trip").wait_for()
    axe_check(page)
    report = page.url

    page.get_by_role("button", name="Raise a concern about Mystery Visitor").click()
    page.get_by_text("raised from the finding").wait_for()
    axe_check(page)
    case = Case.objects.get()
    assert "Mystery Visitor" in case.narrative

    page.goto(report)
    late = page.locator(".audit-finding", has_text="Still awake? Reminder")
    late.get_by_role("button", name="Raise an alert").click()
    page.get_by_role("heading", name="Alert from a group audit: Open").wait_for()
    page.get_by_role("cell", name="Still awake? Reminder about the trip").wait_for()
    axe_check(page)
    page.goto(reverse("contact:alerts"))
    page.get_by_role("link", name="Alert from a group audit", exact=False).wait_for()
    axe_check(page)

    page.goto(report)
    page.get_by_role(
        "button", name="Add to the attention list (Mystery Visitor)"
    ).click()
    page.get_by_text("Added to the attention list.").wait_for()
    page.goto(reverse("people:attention"))
    page.get_by_text("Found in audits of group chats").first.wait_for()
    axe_check(page)
