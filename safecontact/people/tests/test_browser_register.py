"""The Lead logs in with two-factor, records a volunteer whose DBS check has
expired, and finds them on the attention list with the fix."""

from __future__ import annotations

import datetime

import pytest
from django_otp.oath import totp

from safecontact.accounts.tests.factories import (
    PASSWORD,
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_with_two_factor(page, axe_check, lead, device) -> None:
    page.goto("/account/login/")
    axe_check(page)
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/two-factor/**")
    axe_check(page)
    page.get_by_label("6-digit code", exact=False).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.wait_for_url(lambda url: "two-factor" not in url and "login" not in url)


def _add_volunteer(page, axe_check) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="People"
    ).click()
    axe_check(page)
    page.get_by_role("link", name="Add a person").click()
    axe_check(page)
    page.get_by_label("First name").fill("Vera")
    page.get_by_label("Last name").fill("Volunteer")
    page.get_by_label("Who they are").select_option("worker")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Vera Volunteer").wait_for()
    axe_check(page)


def _record_worker_and_old_check(page, axe_check, today) -> None:
    page.get_by_role("link", name="Add worker details").click()
    axe_check(page)
    page.get_by_label("Staff or volunteer").select_option("volunteer")
    page.get_by_label("Start date").fill(f"{today.year - 5}-01-10")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Record a DBS check").click()
    axe_check(page)
    page.get_by_label("DBS level").select_option("enhanced")
    issued = datetime.date(today.year - 4, 1, 15)
    page.get_by_label("Certificate date", exact=False).fill(issued.isoformat())
    page.get_by_role("button", name="Save").click()
    page.get_by_text("DBS check recorded.").wait_for()
    assert page.get_by_text("No, not cleared").first.is_visible()
    assert page.get_by_text("The DBS check was due for renewal").is_visible()
    axe_check(page)


def test_the_lead_finds_a_volunteer_with_an_expired_check_and_the_fix(page, axe_check):
    org = OrganisationFactory.create()
    lead = UserFactory.create(organisation=org, role="lead")
    device = confirmed_totp_device(lead)
    today = datetime.date.today()  # noqa: DTZ011 - the live server's own clock
    _log_in_with_two_factor(page, axe_check, lead, device)
    _add_volunteer(page, axe_check)
    _record_worker_and_old_check(page, axe_check, today)

    page.get_by_role("link", name="Needs attention").click()
    axe_check(page)
    row = (
        page.get_by_role("row")
        .filter(has_text="Vera Volunteer")
        .filter(has_text="DBS check expired on")
    )
    fix = row.get_by_role("link", name="Record the renewed DBS check")
    assert fix.is_visible()
    fix.click()
    page.get_by_role("heading", name="Record a DBS check for Vera Volunteer").wait_for()
    axe_check(page)


def test_the_other_register_pages_pass_axe(page, axe_check):
    """Consent (with history), groups, platforms, import and audit pages."""
    from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
    from safecontact.people.tests.factories import ConsentFactory, RelationshipFactory

    org = OrganisationFactory.create()
    lead = UserFactory.create(organisation=org, role="lead")
    device = confirmed_totp_device(lead)
    link = RelationshipFactory.create(person__organisation=org)
    group = GroupFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=link.person)
    ConsentFactory.create(subject=link.person, given_by=link.carer, groups=[group])
    _log_in_with_two_factor(page, axe_check, lead, device)
    for path in (
        f"/people/{link.person.code}/",
        f"/people/{link.person.code}/consent/",
        f"/people/{link.person.code}/consent/withdraw/",
        f"/people/{link.person.code}/carers/add/",
        f"/people/{link.carer.code}/training/",
        "/people/import/",
        "/people/audit/",
        "/groups/",
        f"/groups/{group.code}/",
        f"/groups/{group.code}/edit/",
        f"/groups/{group.code}/members/add/",
        "/groups/platforms/",
        "/groups/add/",
    ):
        page.goto(path)
        axe_check(page)
    page.goto(f"/people/{link.person.code}/consent/")
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Please correct the following").wait_for()
    axe_check(page)
    page.goto("/people/import/")
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "people.csv",
                "mimeType": "text/csv",
                "buffer": b"id,first name,type,dob\r\nA1,Ann,adult,\r\nC1,,child,\r\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("1 row can be imported").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Import 1 row").click()
    page.get_by_role("heading", name="Import finished").wait_for()
    axe_check(page)
