"""In Chromium: the Lead adding people to a group sees each refusal with its
fix, gives a reason for an age exception, and reinstates a leaver; every
page passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp

from safecontact.accounts.tests.factories import PASSWORD, confirmed_totp_device
from safecontact.groups.models import GroupMember
from safecontact.groups.tests.factories import GroupFactory
from safecontact.people.tests.factories import (
    ChildFactory,
    ParentFactory,
    WorkerFactory,
    years_ago,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user):
    device = confirmed_totp_device(user)
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()


def test_the_lead_is_told_why_and_can_give_a_reason(page, axe_check, lead, org):
    group = GroupFactory.create(
        organisation=org, name="Juniors", age_min=11, age_max=14
    )
    parent = ParentFactory.create(organisation=org, first_name="Pat")
    older = ChildFactory.create(
        organisation=org, first_name="Ola", date_of_birth=years_ago(15)
    )
    _log_in(page, lead)
    page.goto(reverse("groups:member_add", args=[group.code]))
    axe_check(page)
    page.get_by_label("Person").select_option(label=str(parent))
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    assert "cannot join a group for children" in summary.inner_text()
    assert "Complete their checks before they join" in summary.inner_text()
    axe_check(page)
    page.get_by_label("Person").select_option(label=str(older))
    page.get_by_role("button", name="Save").click()
    assert (
        "give your reason for the exception" in page.get_by_role("alert").inner_text()
    )
    page.get_by_label("Reason for an exception", exact=False).fill("Helps a sibling")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Juniors").wait_for()
    assert GroupMember.objects.filter(group=group, person=older).exists()
    assert not GroupMember.objects.filter(group=group, person=parent).exists()


def test_the_lead_reinstates_a_leaver(page, axe_check, lead, org):
    leaver = WorkerFactory.create(organisation=org, first_name="Lee", left=True)
    _log_in(page, lead)
    page.goto(reverse("people:detail", args=[leaver.code]))
    axe_check(page)
    page.get_by_role("button", name=f"Reinstate {leaver}").click()
    assert "is reinstated" in page.locator("main").inner_text()
    axe_check(page)
    leaver.worker.refresh_from_db()
    assert leaver.worker.end_date is None
