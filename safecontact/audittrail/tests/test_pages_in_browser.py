from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_otp.oath import totp

from safecontact.accounts.tests.factories import (
    PASSWORD,
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.concerns.tests.factories import make_case
from safecontact.people import services as people
from safecontact.people.models import Person


@pytest.mark.browser
def test_the_audit_trail_and_a_cases_history_are_accessible(
    transactional_db, page, axe_check
):
    org = OrganisationFactory.create()
    lead = UserFactory.create(role="lead", organisation=org)
    device = confirmed_totp_device(lead)
    person = people.create_person(
        actor=lead,
        organisation=org,
        first_name="Wes",
        last_name="Worker",
        kind=Person.Kind.WORKER,
        date_of_birth=dt.date(1990, 1, 1),
    )
    people.update_person(actor=lead, person=person, last_name="Walker")
    case = make_case(org, actor=lead)
    page.goto("/account/login/")
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.goto(reverse("people:audit"))
    assert page.get_by_text("changed Wes Walker").count() == 1
    page.get_by_text("Show technical detail").first.click()
    axe_check(page)
    page.goto(reverse("people:audit") + "?since=2026-02-01&until=2026-01-01")
    axe_check(page)
    page.goto(case.get_absolute_url())
    page.locator("section:has(#case-history-heading) summary").click()
    axe_check(page)
