"""Risk per conversation: an early warning names the sender and the
conversation (its group or thread) with the conversation's own level."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from safecontact.contact.models import Alert, Message
from safecontact.contact.tests.smtp import send
from safecontact.contact.tests.test_early_warning import ESCALATING
from safecontact.groups.tests.factories import GroupMemberFactory
from safecontact.ledger.models import LedgerEntry
from safecontact.people.tests.factories import YOUTH_GROUP, WorkerFactory

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
    assert "shared between people none of whom shows it on their own" in html


def leader(make_user, org, group, first: str, last: str):
    """Another cleared leader of ``group``: their user and register entry."""
    user = make_user("worker", org, first_name=first, last_name=last)
    person = WorkerFactory.create(
        organisation=org, user=user, first_name=first, last_name=last
    )
    GroupMemberFactory.create(group=group, person=person, role="leader")
    return user, person


def conversation_alerts(org):
    return Alert.objects.filter(
        organisation=org, kind=Alert.Kind.EARLY_WARNING, raised_by_conversation=True
    )


# Our own made-up lines, with no finding for the scanner.
CHORES = "Please bring a packed lunch for the trip."
RELAXED = "See you at youth club on Thursday at 7."


def test_two_leaders_sharing_the_pattern_are_warned_of_after_another_was(
    client_for, make_user, org, lead, worker, sender, group
):
    # One leader reaches high on their own first (their own warning); later
    # two others share the pattern between them. The group's rise is their
    # own, and comes now, though someone in the group rose before.
    dora, _ = leader(make_user, org, group, "Dora", "Driver")
    olly, olly_person = leader(make_user, org, group, "Olly", "Other")
    pat, pat_person = leader(make_user, org, group, "Pat", "Porter")
    for _ in range(4):
        send(dora, [], group=group, body=CHORES)
    for body in [RELAXED] * 4 + [ESCALATING[0]]:
        send(worker, [], group=group, body=body)
    own = Alert.objects.get(organisation=org, raised_by_conversation=False)
    assert own.message.sender == sender
    assert not conversation_alerts(org).exists()
    for i, body in enumerate(ESCALATING[1:]):
        send(olly if i % 2 == 0 else pat, [], group=group, body=body)
    alert = conversation_alerts(org).get()
    assert alert.message.sender in {olly_person, pat_person}
    assert alert.conversation_level_label == "high"
    assert "Olly Other, Pat Porter also reach high" in alert.conversation_reasons[-1]
    html = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert "shared between people none of whom shows it on their own" in html


def test_a_shared_warning_is_filed_under_only_those_who_share_it(
    client_for, make_user, org, lead, worker, sender, group
):
    # In the group: a leader high on his own, one who only gave a phone
    # number, and two who share the pattern. The warning is about the two.
    dora, dora_person = leader(make_user, org, group, "Dora", "Driver")
    olly, olly_person = leader(make_user, org, group, "Olly", "Other")
    pat, pat_person = leader(make_user, org, group, "Pat", "Porter")
    for body in [CHORES] * 3 + [NUMBER]:
        send(dora, [], group=group, body=body)
    for body in [RELAXED] * 4 + [ESCALATING[0]]:
        send(worker, [], group=group, body=body)
    own = early_warning(org)
    assert own.message.sender == sender and not own.raised_by_conversation
    for i, body in enumerate(ESCALATING[1:]):
        send(olly if i % 2 == 0 else pat, [], group=group, body=body)
    alert = conversation_alerts(org).get()
    sharing = {str(olly_person.code), str(pat_person.code)}
    assert set(alert.ledger_entry.subjects) == sharing
    assert alert.sharing == ["Olly Other", "Pat Porter"]
    assert {f["sender"] for f in alert.findings} == {"Olly Other", "Pat Porter"}
    # The whole conversation is still there for the Lead to read.
    everyone = {f["sender"] for f in alert.conversation_findings}
    assert {str(sender), str(dora_person)} <= everyone
    html = client_for(lead).get(alert.get_absolute_url()).content.decode()
    assert "The people who share the pattern: Olly Other and Pat Porter." in html


# Our own made-up line: a leader gives a number, which is personal data but
# no step of grooming.
NUMBER = "my number is 07700 900123, ring me if the minibus is late"


def test_a_leader_who_only_gave_a_phone_number_does_not_share_the_pattern(
    make_user, org, lead, worker, sender, group
):
    olly, _ = leader(make_user, org, group, "Olly", "Other")
    for body in ESCALATING[:4]:
        send(worker, [], group=group, body=body)
    send(olly, [], group=group, body=NUMBER)
    # Read as one voice the group is high, but only one leader's grooming
    # findings are in it: that is his own warning, not the group's.
    assert not conversation_alerts(org).exists()
    send(worker, [], group=group, body=ESCALATING[4])
    own = Alert.objects.get(organisation=org, kind=Alert.Kind.EARLY_WARNING)
    assert not own.raised_by_conversation
    assert own.message.sender == sender


def test_a_blocked_message_still_counts_towards_the_groups_warning(
    make_user, org, lead, worker, sender, group
):
    # Blocked messages never reach the group, but the person wrote them: a
    # blocked request for secrecy is evidence of intent all the same.
    olly, _ = leader(make_user, org, group, "Olly", "Other")
    blocked = []
    for i, body in enumerate(ESCALATING):
        author = worker if i % 2 == 0 else olly
        purpose = "Fundraising" if i == 1 else YOUTH_GROUP
        blocked.append(send(author, [], group=group, body=body, purpose=purpose))
    assert blocked[1].status == Message.Status.BLOCKED
    alert = conversation_alerts(org).get()
    assert str(blocked[1].code) in {f["message"] for f in alert.findings}
