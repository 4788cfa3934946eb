"""In Chromium: the account pages nobody had opened in a browser yet. Each is
axe clean at phone and desktop width, and each journey runs with JavaScript
off: the operators' page, password reset (request, email link, new password,
done), a dead invitation link, signing out, the settings page with its
errors, the report link page and the list of emails that could not be sent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import Invitation, Organisation, User
from safecontact.accounts.services import hash_token
from safecontact.accounts.tests.factories import PASSWORD, UserFactory
from safecontact.conftest import login
from safecontact.notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
STRONG = "a quiet afternoon of rain"

Opener = Callable[..., Any]


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Opener]:
    """A new browser page, signed in as ``user`` when given (past the
    two-step check), at ``viewport``, with or without JavaScript."""
    contexts: list[Any] = []

    def make(
        user: User | None = None, viewport: dict[str, int] = PHONE, js: bool = False
    ) -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=js
        )
        contexts.append(context)
        if user is not None:
            client = login(Client(), user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def _axe_both_widths(open_page: Opener, axe_check: Any, path: str, user=None) -> None:
    """axe at phone and desktop width, with JavaScript on (axe needs it)."""
    for viewport in (PHONE, DESKTOP):
        page = open_page(user, viewport, js=True)
        page.goto(path)
        axe_check(page)
        page.context.close()


def test_the_operators_page_works_without_javascript(open_page, axe_check, org):
    operator = UserFactory.create(organisation=None, is_superuser=True, is_staff=True)
    path = reverse("operators:list")
    _axe_both_widths(open_page, axe_check, path, operator)
    page = open_page(operator)
    page.goto(path)
    # A mistake first: the error summary names the field.
    page.get_by_label("Organisation name").fill("New Hope Chapel")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_label("Email of the first Safeguarding Lead").fill("lead@hope.org")
    page.get_by_role("button", name="Add and invite its Lead").click()
    summary = page.locator(".error-summary")
    assert "Time zone" in summary.inner_text()
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_role("button", name="Add and invite its Lead").click()
    assert "New Hope Chapel is set up" in page.content()
    assert Organisation.objects.filter(name="New Hope Chapel").exists()
    page.get_by_role("button", name=f"Suspend {org.name}").click()
    assert f"{org.name} is suspended" in page.content()
    org.refresh_from_db()
    assert org.is_suspended


def test_a_password_is_reset_in_the_browser_without_javascript(
    open_page, axe_check, worker, mailoutbox
):
    request_path = reverse("accounts:password_reset")
    _axe_both_widths(open_page, axe_check, request_path)
    page = open_page()
    page.goto(reverse("accounts:login"))
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("button", name="Send the link").click()
    assert "Email" in page.locator(".error-summary").inner_text()
    page.get_by_label("Email").fill(worker.email)
    page.get_by_role("button", name="Send the link").click()
    assert page.locator("h1").inner_text() == "Check your email"
    _axe_both_widths(open_page, axe_check, reverse("accounts:password_reset_done"))

    [mail] = [m for m in mailoutbox if worker.email in m.to]
    path = re.search(r"https?://[^/]+(/\S+)", mail.body).group(1)
    page.goto(path)
    assert page.locator("h1").inner_text() == "Choose a new password"
    # The form's own address (Django swaps the token for a session marker).
    _axe_both_widths_here(open_page, axe_check, page.url)
    page.locator("#id_new_password1").fill(STRONG)
    page.locator("#id_new_password2").fill("something else entirely")
    page.get_by_role("button", name="Save my password").click()
    assert page.locator(".error-summary").is_visible()
    page.locator("#id_new_password1").fill(STRONG)
    page.locator("#id_new_password2").fill(STRONG)
    page.get_by_role("button", name="Save my password").click()
    assert page.locator("h1").inner_text() == "Your password has been changed"
    _axe_both_widths(open_page, axe_check, reverse("accounts:password_reset_complete"))
    worker.refresh_from_db()
    assert worker.check_password(STRONG)
    # The link works once: opened again it says so, and how to get another.
    page.goto(path)
    assert page.locator("h1").inner_text() == "This link does not work"
    _axe_both_widths(open_page, axe_check, path)


def _axe_both_widths_here(open_page: Opener, axe_check: Any, url: str) -> None:
    """axe on a page that only opens once per session (the reset form)."""
    for viewport in (PHONE, DESKTOP):
        page = open_page(None, viewport, js=True)
        page.goto(url)
        axe_check(page)
        page.context.close()


def test_a_dead_invitation_link_says_what_to_do(open_page, axe_check, org, lead):
    user = UserFactory.create(organisation=org, role="worker", is_active=False)
    Invitation.objects.create(
        organisation=org,
        user=user,
        hashed_token=hash_token("expired-token"),
        invited_by=lead,
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    for token, words in (
        ("expired-token", "This link has expired"),
        ("no-such-token", "This link is not one we know"),
    ):
        path = reverse("accounts:accept_invitation", args=[token])
        _axe_both_widths(open_page, axe_check, path)
        page = open_page()
        response = page.goto(path)
        assert response.status == 410
        assert words in page.content()
        page.get_by_role("link", name="reset your password").click()
        assert page.locator("h1").inner_text() == "Reset your password"


def test_logging_out_lands_on_a_page_that_says_so(open_page, axe_check, worker):
    page = open_page()
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Your account").click()
    page.get_by_role("button", name="Log out").click()
    assert page.locator("h1").inner_text() == "You have logged out"
    page.goto(reverse("home"))
    assert "/login/" in page.url
    _axe_both_widths(open_page, axe_check, reverse("accounts:signed_out"))


def test_the_settings_page_refuses_bad_hours_clearly_without_javascript(
    open_page, axe_check, lead, org
):
    path = reverse("accounts:settings")
    _axe_both_widths(open_page, axe_check, path, lead)
    page = open_page(lead)
    page.goto(path)
    page.get_by_label("Monday").check()
    page.get_by_label("Default agreed hours from").fill("20:00")
    page.get_by_label("Default agreed hours until").fill("18:00")
    page.get_by_label("Keep closed concern records for (years)").fill("3")
    page.get_by_label("Keep notification emails for (days)").fill("10")
    page.get_by_role("button", name="Save settings").click()
    summary = page.locator(".error-summary").inner_text()
    assert "The end time must be after the start time." in summary
    assert "from 6 to 100" in summary
    assert "from 31 to 730" in summary
    org.refresh_from_db()
    assert org.default_hours == [] and org.case_retention_years == 7
    assert org.notification_retention_days == 90
    desktop = open_page(lead, DESKTOP, js=True)
    desktop.goto(path)
    desktop.get_by_label("Default agreed hours until").fill("18:00")
    desktop.get_by_label("Default agreed hours from").fill("20:00")
    desktop.get_by_label("Monday").check()
    desktop.get_by_role("button", name="Save settings").click()
    axe_check(desktop)  # the page with its error summary
    page.get_by_label("Default agreed hours until").fill("21:00")
    page.get_by_label("Keep closed concern records for (years)").fill("8")
    page.get_by_label("Keep notification emails for (days)").fill("120")
    page.get_by_role("button", name="Save settings").click()
    assert "Settings saved." in page.content()
    org.refresh_from_db()
    assert org.default_hours == [{"day": 0, "start": "20:00", "end": "21:00"}]
    assert org.notification_retention_days == 120


def test_the_report_link_is_marked_shared_without_javascript(
    open_page, axe_check, lead, org
):
    path = reverse("concerns:report_link")
    _axe_both_widths(open_page, axe_check, path, lead)
    page = open_page(lead)
    page.goto(reverse("accounts:first_run"))
    assert page.get_by_test_id("progress").inner_text() == "0 of 6 done"
    page.get_by_role("link", name="Share the link for reporting a concern").click()
    assert org.report_token in page.get_by_test_id("newsletter-text").inner_text()
    page.get_by_role("button", name="I have shared the link").click()
    assert page.get_by_test_id("shared").is_visible()
    page.goto(reverse("accounts:first_run"))
    assert page.get_by_test_id("progress").inner_text() == "1 of 6 done"


def test_the_lead_tries_a_failed_email_again_without_javascript(
    open_page, axe_check, lead, deputy, org
):
    for n in range(3):
        Notification.objects.create(
            organisation=org,
            recipient=deputy,
            kind=Notification.Kind.HELD,
            key=f"held:{n}",
            link="/",
            status=Notification.Status.FAILED,
            attempts=30,
            last_error="The mail server could not be reached.",
        )
    path = reverse("notifications:failures")
    _axe_both_widths(open_page, axe_check, path, lead)
    page = open_page(lead)
    page.goto(reverse("notifications:preferences"))
    page.get_by_role("link", name="emails that could not be sent").click()
    assert page.locator("h1").inner_text() == "Emails that could not be sent"
    page.get_by_role("button", name=f"Try again the email to {deputy}").first.click()
    assert "Trying the email to" in page.content()
    assert Notification.objects.filter(status=Notification.Status.FAILED).count() == 2
