"""A child's report about the Lead never reaches the Lead (rule concerns.route.lead)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from safecontact.accounts.tests.factories import (
    OrganisationFactory,
    UserFactory,
    confirmed_totp_device,
)
from safecontact.concerns import services
from safecontact.concerns.models import Case
from safecontact.concerns.tests.test_browser import _lead_logs_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = "Our leader keeps messaging me on my own at night and says it is our secret"
PHONE = {"width": 375, "height": 812}


def _child_reports_about_the_lead(page, org, axe_check) -> str:
    page.goto(f"/report/{org.report_token}/young-people/")
    page.get_by_role("link", name="Leave this page quickly").wait_for()
    axe_check(page)
    page.get_by_label("What happened?").fill(STORY)
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Question 2 of 4").wait_for()
    assert page.locator(".danger-box").count() == 0
    page.get_by_label("The Safeguarding Lead", exact=False).check()
    axe_check(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Question 3 of 4").wait_for()
    page.get_by_label("No, I want to stay anonymous").check()
    axe_check(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Question 4 of 4").wait_for()
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your report has been sent").wait_for()
    axe_check(page)
    reference = page.locator(".reference strong").inner_text()
    page.reload()
    assert page.locator(".reference strong").inner_text() == reference
    return reference


def _sees_nothing_of(page, reference: str) -> None:
    for url in (
        reverse("concerns:list"),
        reverse("people:audit"),
        reverse("contact:inbox"),
    ):
        page.goto(url)
        text = page.locator("main").inner_text()
        assert reference not in text and STORY not in text, url


def test_a_childs_report_about_the_lead_never_reaches_the_lead(
    browser, live_server, axe_check
):
    org = OrganisationFactory.create()
    lead = UserFactory.create(organisation=org, role="lead", first_name="Lena")
    deputy = UserFactory.create(organisation=org, role="deputy", first_name="Dev")
    trustee = UserFactory.create(organisation=org, role="trustee")
    services.set_named_trustee(actor=lead, organisation=org, trustee=trustee)
    lead_device, deputy_device = (
        confirmed_totp_device(lead),
        confirmed_totp_device(deputy),
    )

    child = browser.new_context(base_url=live_server.url, viewport=PHONE)
    reference = _child_reports_about_the_lead(child.new_page(), org, axe_check)
    child.close()
    case = Case.objects.get()
    assert case.reference == reference and case.about_user == lead
    assert lead.email not in [to for m in mail.outbox for to in m.to]
    assert deputy.email in [to for m in mail.outbox for to in m.to]

    lead_view = browser.new_context(base_url=live_server.url).new_page()
    _lead_logs_in(lead_view, lead, lead_device)
    _sees_nothing_of(lead_view, reference)
    response = lead_view.goto(case.get_absolute_url())
    assert response is not None and response.status == 404
    lead_view.context.close()

    deputy_view = browser.new_context(base_url=live_server.url).new_page()
    _lead_logs_in(deputy_view, deputy, deputy_device)
    deputy_view.goto(reverse("concerns:list"))
    deputy_view.get_by_role("link", name=reference).click()
    deputy_view.get_by_text(STORY).wait_for()
    deputy_view.context.close()


def test_easy_read_at_phone_width_is_accessible_and_quick_exit_leaves_history(
    browser, live_server, axe_check
):
    org = OrganisationFactory.create()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title>",
    ))  # fmt: skip
    page = context.new_page()
    for path in ("", "form/", "easy-read/"):
        page.goto(f"/report/{org.report_token}/{path}")
        axe_check(page)
    page.get_by_role("link", name="Leave this page quickly").click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    page.go_back()
    assert "easy-read" not in page.url
    context.close()

    no_js = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    no_js.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title>",
    ))  # fmt: skip
    page = no_js.new_page()
    page.goto(f"/report/{org.report_token}/young-people/")
    page.get_by_role("link", name="Leave this page quickly").click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    no_js.close()
