"""In Chromium: an early warning's page names the conversation, its level
and its reasons, who found what, and how the learned model read the
sender's messages, in words; and passes axe."""

from __future__ import annotations

import pytest

from safecontact.accounts.tests.factories import confirmed_totp_device
from safecontact.contact.models import Alert
from safecontact.contact.tests.smtp import send
from safecontact.contact.tests.test_compose_in_browser import _log_in
from safecontact.contact.tests.test_conversation_risk import PRESSURE
from safecontact.contact.tests.test_early_warning import ESCALATING


@pytest.mark.browser
def test_an_early_warning_page_shows_the_conversation_accessibly(
    transactional_db, page, axe_check, lead, worker, sender, group
):
    for body in [PRESSURE, *ESCALATING]:
        send(worker, [], group=group, body=body)
    alert = Alert.objects.get(kind=Alert.Kind.EARLY_WARNING)
    _log_in(page, lead, confirmed_totp_device(lead))
    page.goto(alert.get_absolute_url())
    text = page.locator("main").inner_text()
    assert "Thursday Youth Club" in text
    assert "Conversation risk" in text
    assert "The learned model reads this line as" in text
    assert "Word list" in text
    assert "Highest single sender (Wes Worker): high." in text
    page.get_by_role(
        "heading", name="How the learned model read these messages"
    ).wait_for()
    assert "The words that pushed that reading most:" in text
    axe_check(page)
