"""Risk per conversation: an early warning names the sender and the
conversation (its group or thread) with the conversation's own level."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from safecontact.contact.models import Alert
from safecontact.contact.tests.smtp import send
from safecontact.contact.tests.test_early_warning import ESCALATING
from safecontact.groups.tests.factories import GroupMemberFactory
from safecontact.ledger.models import LedgerEntry
from safecontact.people.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def early_warning(org) -> Alert:
    return Alert.objects.get(organisation=org, kind=Alert.Kind.EARLY_WARNING)


def test_an_early_warning_in_a_group_names_the_group_and_its_level(
    org, lead, worker, sender, group
):
    for body in ESCALATING:
        send(worker, [], group=group, body=body)
    alert = early_warning(org)
    assert alert.message.sender == sender
    assert alert.conversation == "the group \u201cThursday Youth Club\u201d"
    assert alert.conversation_level_label == "high"
    found = alert.conversation_findings
    assert found and all(f["sender"] == str(sender) for f in found)
    assert [f["message"] for f in found] == sorted(
        (f["message"] for f in found), key=[f["message"] for f in found].index
    )
    assert {f["source"] for f in found} <= {"word list", "model"}
    entry = LedgerEntry.objects.filter(organisation=org, kind="alert.raised").get()
    assert entry.content["conversation_level"] == "high"


def test_an_early_warning_in_one_to_one_mail_names_its_thread(
    org, lead, worker, sender, family
):
    for body in ESCALATING:
        send(worker, [family.child], body=body, subject="Trip")
    alert = early_warning(org)
    assert alert.conversation == "the conversation \u201cTrip\u201d"
    # Each new message starts its own thread: only the last is read for it.
    assert alert.conversation_level_label in {"none", "low", "medium", "high"}


def test_the_alert_page_names_the_conversation_and_who_found_what(
    client_for, org, lead, worker, sender, group
):
    for body in ESCALATING:
        send(worker, [], group=group, body=body)
    alert = early_warning(org)
    html = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert "Thursday Youth Club" in html
    assert "Conversation risk" in html
    assert "High, read over everyone's messages in it" in html
    assert "Everything found in this conversation, oldest first" in html
    assert "Found by" in html
    assert "Word list" in html
    assert "grooming.secrecy" not in html  # titles in words, not internal ids


# Our own line: pressure the word lists do not name, the line model does.
PRESSURE = "come on, just do it for me"


def test_a_model_finding_shows_its_reasons_in_words_on_the_alert_page(
    client_for, org, lead, worker, sender, group
):
    for body in [PRESSURE, *ESCALATING]:
        send(worker, [], group=group, body=body)
    alert = early_warning(org)
    model_rows = [f for f in alert.conversation_findings if f["source"] == "model"]
    row = model_rows[0]
    assert "come on, just do it" in row["evidence"]
    assert row["title"] == "Pressure, threats or control"
    assert row["words"] and 0 < row["confidence"] <= 1
    assert "The learned model reads this line as" in row["explanation"]
    page = client_for(lead).get(alert.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert "Model" in html
    assert "% sure" in html
    assert "The learned model reads this line as" in html


def test_the_alert_page_gives_the_models_reading_and_the_conversations_reasons(
    client_for, org, lead, worker, sender, group
):
    for body in ESCALATING:
        send(worker, [], group=group, body=body)
    alert = early_warning(org)
    assert alert.conversation_reasons == [f"Highest single sender ({sender}): high."]
    reasons = alert.model_reasons
    assert reasons and reasons[0].startswith("Read together, these ")
    assert any("high needs" in r for r in reasons)
    html = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert "How the learned model read these messages" in html
    assert "Highest single sender" in html


@pytest.mark.parametrize("name", [("Olly", "Other"), ("Wes", "Worker")])
def test_two_leaders_who_share_the_pattern_raise_a_warning_for_the_group(
    client_for, make_user, org, lead, worker, sender, group, name
):
    # Also when the second leader has the first one's name: two people are
    # never read as one voice because their names match.
    other = make_user("worker", org, first_name=name[0], last_name=name[1])
    second = WorkerFactory.create(
        organisation=org, user=other, first_name=name[0], last_name=name[1]
    )
    GroupMemberFactory.create(group=group, person=second, role="leader")
    # Neither sends the five messages a lean needs; between them, seven.
    for i, body in enumerate(ESCALATING):
        send(worker if i % 2 == 0 else other, [], group=group, body=body)
    alert = early_warning(org)
    assert alert.raised_by_conversation
    assert alert.conversation_level_label == "high"
    named = {f["sender"] for f in alert.findings}
    assert len(named) == 2
    assert str(second) in named or f"{second} (2)" in named
    assert "between them they show the pattern" in alert.conversation_reasons[-1]
    entry = LedgerEntry.objects.filter(organisation=org, kind="alert.raised").get()
    assert entry.content["raised_by_conversation"] is True
    # The contact log finds the alert under both leaders, not only the one
    # whose message tipped it.
    assert set(entry.subjects) == {str(sender.code), str(second.code)}
    html = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert "though no one sender's do on their own" in html
