"""A child reports with a screenshot; the Lead works the case to a LADO referral."""

from __future__ import annotations

import pytest
from django_otp.oath import totp

from safecontact.accounts.tests.factories import (
    PASSWORD,
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.concerns.models import Case, Referral
from safecontact.concerns.tests.factories import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = "A man in the game chat asked for my address and said not to tell anyone"


def _child_reports(page, org, axe_check) -> str:
    page.goto(f"/report/{org.report_token}/")
    axe_check(page)
    page.get_by_role("link", name="For children and young people").click()
    page.get_by_text("Question 1 of 4").wait_for()
    axe_check(page)
    page.get_by_label("What happened?").fill(STORY)
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Question 2 of 4").wait_for()
    page.get_by_label("Someone else, or someone I met online").check()
    axe_check(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Question 3 of 4").wait_for()
    page.get_by_label("No, I want to stay anonymous").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Question 4 of 4").wait_for()
    page.get_by_label("Pictures of the messages (screenshots)").set_input_files(
        files=[{"name": "chat.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    axe_check(page)
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your report has been sent").wait_for()
    axe_check(page)
    return page.locator(".reference strong").inner_text()


def _lead_logs_in(page, lead, device) -> None:
    page.goto("/account/login/")
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code", exact=False).first.fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Check code").click()
    page.wait_for_url(lambda url: "two-factor" not in url)


def test_a_child_reports_and_the_lead_refers_to_the_lado(page, axe_check):
    org = OrganisationFactory.create()
    lead = UserFactory.create(organisation=org, role="lead")
    device = confirmed_totp_device(lead)
    for path in ("form/", "easy-read/"):
        page.goto(f"/report/{org.report_token}/{path}")
        axe_check(page)

    reference = _child_reports(page, org, axe_check)
    assert Case.objects.get().reference == reference

    _lead_logs_in(page, lead, device)
    page.goto("/concerns/")
    axe_check(page)
    page.get_by_role("link", name=reference).click()
    case_url = Case.objects.get().get_absolute_url()
    page.get_by_text(STORY).wait_for()
    assert page.get_by_role(
        "img", name="Screenshot 1 sent with the report"
    ).is_visible()
    axe_check(page)

    page.get_by_label("Category").select_option("grooming")
    page.get_by_label("Risk level").select_option("high")
    page.get_by_label("Who is it about?").select_option("outside")
    page.get_by_role("button", name="Save triage").click()
    page.get_by_text("Triage saved.").wait_for()

    page.get_by_label("What happened (required)", exact=True).fill(
        "Rang the child's mother"
    )
    page.get_by_role("button", name="Add entry").click()
    page.get_by_text("Added to the chronology.").wait_for()

    page.get_by_label("Referred to").select_option("lado")
    page.get_by_label("Date of referral").fill("2026-01-05")
    page.get_by_label("Their reference number (optional)").fill("LADO-26-118")
    page.get_by_role("button", name="Record referral").click()
    page.get_by_text("Referral recorded.").wait_for()
    axe_check(page)

    page.get_by_role("link", name="Printable referral summary").click()
    page.get_by_role(
        "heading", name=f"Safeguarding referral summary: {reference}"
    ).wait_for()
    assert page.get_by_text("Rang the child's mother").first.is_visible()
    assert page.get_by_role("cell", name="LADO-26-118", exact=True).is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    page.emulate_media(media="screen")
    axe_check(page)
    assert Referral.objects.get().reference_number == "LADO-26-118"
    for path in (f"{case_url}close/", f"{case_url}delete/", "/concerns/routing/",
                 "/concerns/report-link/", "/concerns/new/"):  # fmt: skip
        page.goto(path)
        axe_check(page)
