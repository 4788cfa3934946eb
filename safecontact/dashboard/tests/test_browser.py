"""In Chromium: the Lead's dashboard and its drill-down, a trustee's report
and refusal, and an umbrella's view of its members."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp

from safecontact.accounts.models import User
from safecontact.accounts.tests.factories import (
    PASSWORD,
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.contact.models import Message
from safecontact.dashboard import services
from safecontact.dashboard.tests.builders import organisation_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, axe_check: Any, user: User) -> None:
    device = confirmed_totp_device(user)
    page.goto("/account/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/two-factor/**")
    page.get_by_label("6-digit code", exact=False).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.wait_for_url(lambda url: "two-factor" not in url and "login" not in url)


def test_the_lead_reads_the_dashboard_and_drills_down(
    page: Any, axe_check: Any
) -> None:
    org = OrganisationFactory.create()
    lead = UserFactory.create(organisation=org, role="lead")
    organisation_of(org, 3)
    Message.objects.create(
        organisation=org,
        direction=Message.Direction.OUTBOUND,
        status=Message.Status.HELD,
        subject="Trip",
        sent_at=timezone.now(),
    )
    _log_in(page, axe_check, lead)
    page.get_by_role("heading", name="Where things stand").wait_for()
    axe_check(page)
    chart = page.get_by_role("img", name="Messages by week", exact=True)
    assert chart.is_visible()
    table = page.get_by_role(
        "table", name="Messages by week: this period and the one before"
    )
    assert "Held for review" in table.inner_text()
    page.locator("#id_start").fill("2020-01-01")
    page.locator("#id_end").fill("2019-01-01")
    page.get_by_role("button", name="Show this period").click()
    page.get_by_text("The end date must be on or after the start.").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Held for review").click()
    page.wait_for_url("**/contact/held/")
    assert "Trip" in page.content()
    axe_check(page)


def test_a_trustee_sees_the_report_and_is_refused_the_register(
    page: Any, axe_check: Any
) -> None:
    org = OrganisationFactory.create()
    trustee = UserFactory.create(organisation=org, role="trustee")
    organisation_of(org, 2)
    _log_in(page, axe_check, trustee)
    page.get_by_role("heading", name="Where things stand").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Trustees' report").click()
    page.get_by_role("heading", name="Trustees' safeguarding report").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Printable version (A4)").click()
    page.get_by_role("heading", name="Safeguarding report").wait_for()
    axe_check(page)
    response = page.goto("/people/")
    assert response.status == 403
    axe_check(page)


def test_an_umbrella_lead_sees_members_figures(page: Any, axe_check: Any) -> None:
    member = OrganisationFactory.create(name="St Anne's")
    member_lead = UserFactory.create(organisation=member, role="lead")
    organisation_of(member, 3)
    diocese = OrganisationFactory.create(name="Diocese")
    diocese_lead = UserFactory.create(organisation=diocese, role="lead")
    link = services.invite_member(actor=diocese_lead, member=member)
    services.accept_invitation(actor=member_lead, link=link)
    call_command("take_snapshots", stdout=None)
    _log_in(page, axe_check, diocese_lead)
    page.goto("/dashboard/umbrella/")
    axe_check(page)
    row = page.get_by_role("row").filter(has_text="St Anne's")
    assert "67%" in row.inner_text()
    row.get_by_role("link", name="St Anne's").click()
    page.get_by_role("heading", name="St Anne's").wait_for()
    assert page.get_by_role("img", name="Messages by week", exact=True).is_visible()
    axe_check(page)
