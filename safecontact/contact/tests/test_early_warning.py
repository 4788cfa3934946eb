"""Early warning: a sender's messages read together raise an alert for the Lead."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from safecontact.contact.models import Alert, InboxItem
from safecontact.contact.services import receive_inbound
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.ledger.models import LedgerEntry
from safecontact.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# Our own made-up escalation: flattery, probing, a platform move, secrecy,
# a photo request, a meeting. No single line is the whole pattern.
ESCALATING = [
    "you are so mature for your age, not like the others",
    "how old are you now? are your parents home after school?",
    "add me on snapchat, it is easier to chat there",
    "you are so special to me, nobody understands you like i do",
    "delete this chat after ok, it is our secret",
    "send me a pic of you, just for me",
    "we could meet at the park on saturday, just us",
]
ORDINARY = [
    "See you at youth club on Thursday at 7.",
    "Please bring a packed lunch for the trip.",
    "The rota for Sunday is on the noticeboard.",
    "Well done everyone on the sponsored walk!",
    "Remember your permission slips by Friday.",
    "Tickets are £12.50, pay at the door.",
    "My mum says hi to everyone.",
]


def early_warnings(org):
    return Alert.objects.filter(organisation=org, kind=Alert.Kind.EARLY_WARNING)


def test_a_worker_whose_messages_escalate_raises_one_early_warning(
    org, lead, worker, sender, family
):
    for body in ESCALATING:
        send(worker, [family.child], body=body)
    alerts = early_warnings(org)
    assert alerts.count() == 1
    alert = alerts.get()
    assert alert.message.sender == sender
    indicators = [f["indicator"] for f in alert.findings]
    assert "grooming.secrecy" in indicators
    assert all(f["message"] for f in alert.findings)  # each names its message
    assert LedgerEntry.objects.filter(organisation=org, kind="alert.raised").exists()
    assert InboxItem.objects.filter(user=lead, message=alert.message).exists()


def test_ordinary_messages_never_raise_an_early_warning(org, worker, sender, family):
    for body in ORDINARY:
        send(worker, [family.child], body=body)
    assert not early_warnings(org).exists()


def test_replies_from_an_adult_outside_build_up_to_an_early_warning(
    org, worker, sender, family, smtp
):
    from safecontact.contact.services import deliver_due

    # Replies are attributed only to someone on the conversation they answer.
    stranger = PersonFactory.create(organisation=org, email="jay@example.net")
    send(worker, [stranger])
    deliver_due()
    for body in ESCALATING:
        receive_inbound(reply_to(smtp.mailbox.received[-1], stranger.email, body))
    alert = early_warnings(org).get()
    assert alert.message.sender == stranger


def test_the_lead_sees_the_pattern_in_order_with_links(
    client_for, org, lead, worker, sender, family
):
    for body in ESCALATING:
        send(worker, [family.child], body=body)
    alert = early_warnings(org).get()
    page = client_for(lead).get(alert.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "Early warning" in html
    assert "What raised the risk, oldest first" in html
    assert f"/contact/messages/{alert.findings[0]['message']}/" in html


def test_a_worker_cannot_open_an_early_warning(client_for, org, worker, sender, family):
    for body in ESCALATING:
        send(worker, [family.child], body=body)
    alert = early_warnings(org).get()
    assert client_for(worker).get(alert.get_absolute_url()).status_code in (
        HTTPStatus.FORBIDDEN,
        HTTPStatus.NOT_FOUND,
    )


# Our own made-up lines: warm, adult-sounding, with nothing a word list names,
# then pressure only the line model names.
WARM = [
    "i was thinking about u all day",
    "i cant stop thinking about u",
    "wish i was there with u",
    "u make me smile so much",
    "cant wait to talk to u later",
    "i was thinking about u all day",
]
PRESSURE = "come on, just do it for me"


def test_a_line_model_finding_is_the_evidence_that_raises_an_early_warning(
    client_for, org, lead, worker, sender, family
):
    for body in WARM:
        send(worker, [family.child], body=body)
    assert not early_warnings(org).exists()  # a lean alone is never high
    send(worker, [family.child], body=PRESSURE)
    alert = early_warnings(org).get()
    (row,) = alert.findings
    assert (row["source"], row["title"]) == ("model", "Pressure, threats or control")
    assert row["words"] and 0 < row["confidence"] <= 1
    html = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert "The learned model reads this line as control and coercion" in html
    assert "% sure" in html
