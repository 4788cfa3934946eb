from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp

from safecontact.accounts.tests.factories import (
    PASSWORD,
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.ledger.models import ChainCheck
from safecontact.ledger.services import append_entry, run_chain_check
from safecontact.people.tests.factories import ChildFactory


@pytest.mark.browser
def test_the_leads_log_pages_are_accessible(transactional_db, page, axe_check):
    org = OrganisationFactory.create()
    lead = UserFactory.create(role="lead", organisation=org)
    device = confirmed_totp_device(lead)
    child = ChildFactory.create(organisation=org, first_name="Sam")
    entry = append_entry(
        organisation=org,
        kind="message.attempt",
        content={"decision": "allow", "reasons": [{"rule": "R1", "text": "Fine"}]},
        subjects=[child.code],
        actor=lead,
    )
    page.goto("/account/login/")
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    for url in (
        reverse("ledger:list") + f"?person={child.code}",
        entry.get_absolute_url(),
        reverse("ledger:history", args=["person", child.code]),
        reverse("ledger:verify"),
    ):
        page.goto(url)
        assert page.locator("h1").count() == 1
        axe_check(page)
    # The whole-log check: started without JavaScript, followed on its own page.
    page.get_by_role("button", name="Check the whole log now").click()
    assert "Waiting to start" in page.locator("main").inner_text()
    axe_check(page)
    check = ChainCheck.objects.get()
    run_chain_check(check.pk)
    page.reload()
    assert "Checks out" in page.locator("main").inner_text()
    axe_check(page)
    page.emulate_media(media="print")
    assert page.locator(".site-header nav").is_hidden()
