"""The Lead assesses a group from a template and signs it off; adds adults
to the group (an unchecked parent is refused by group.uncleared_adult, a
checked volunteer is added) and sees the assessment flagged when the
volunteer's DBS check lapses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safecontact.accounts.tests.factories import UserFactory, confirmed_totp_device
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.models import VettingCheck
from safecontact.people.tests.factories import ParentFactory, WorkerFactory
from safecontact.people.tests.test_browser_register import _log_in_with_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assess_add_an_adult_and_see_it_flagged(page, axe_check, org):
    lead = UserFactory.create(role="lead", organisation=org)
    group = GroupFactory.create(organisation=org, name="Youth WhatsApp")
    GroupMemberFactory.create(group=group)
    helper = WorkerFactory.create(
        organisation=org, first_name="Hal", last_name="Helper"
    )
    ParentFactory.create(organisation=org, first_name="Pat", last_name="Parent")
    _log_in_with_two_factor(page, axe_check, lead, confirmed_totp_device(lead))

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Risk assessments"
    ).click()
    axe_check(page)
    page.get_by_role("link", name="Assess an activity").click()
    page.get_by_label("Name of the activity").fill("Youth WhatsApp group")
    page.get_by_label("Kind of activity").select_option("group_chat")
    page.get_by_label("The group it runs in", exact=False).select_option(
        label="Youth WhatsApp"
    )
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_role(
        "heading", name="What SafeContact knows about Youth WhatsApp"
    ).wait_for()
    axe_check(page)

    page.get_by_role("link", name="Add a control to hazard 1").click()
    page.get_by_label("What will be done").fill(
        "Check members against the register monthly"
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Sign it off").click()
    axe_check(page)
    page.get_by_role("button", name="Sign off").click()
    page.get_by_text("Signed off. Next review by").wait_for()

    # The Lead adds adults to the group: an unchecked parent is refused
    # (group.uncleared_adult), a checked volunteer is added.
    page.goto(group.get_absolute_url())
    page.get_by_role("link", name="Add someone").click()
    page.get_by_label("Person").select_option(label="Pat Parent")
    page.get_by_role("button", name="Save").click()
    page.get_by_text(
        "An adult without a DBS check cannot join a group for children."
    ).wait_for()
    axe_check(page)
    page.get_by_label("Person").select_option(label="Hal Helper")
    page.get_by_label("Role in the group").select_option("leader")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Hal Helper added to Youth WhatsApp").wait_for()

    # Time passes: the helper's DBS check falls due for renewal.
    VettingCheck.objects.filter(person=helper).update(
        renewal_due=timezone.localdate() - dt.timedelta(days=1)
    )
    page.goto("/people/attention/")
    page.get_by_role("link", name="Risk assessments to review").click()
    page.get_by_role("heading", name="Risk assessments to review (1)").wait_for()
    page.get_by_role("link", name="Open the risk assessment").click()
    page.get_by_role("heading", name="This assessment needs reviewing").wait_for()
    page.get_by_text(
        "An adult in the group is now without a current DBS check."
    ).wait_for()
    axe_check(page)
