"""Early warning: a sender's messages read together raise an alert for the Lead."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from safecontact.accounts.tests.factories import OrganisationFactory, UserFactory
from safecontact.contact.models import Alert, InboxItem, Message
from safecontact.contact.services import early_warning, receive_inbound, sending
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import reply_to, send
from safecontact.ledger.models import LedgerEntry
from safecontact.people.tests.factories import PersonFactory, WorkerFactory
from safeguarding.screening.indicator_model import default_line_model

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


def test_a_rise_on_an_ordinary_message_is_warned_of_on_that_message(
    org, lead, worker, sender, family
):
    # Four messages with findings, then an ordinary fifth: the fifth is the
    # first the model's lean may count, and it is where the level rises.
    sent = [send(worker, [family.child], body=b) for b in ESCALATING[:4]]
    sent += [send(worker, [family.child], body=b) for b in ORDINARY]
    alert = early_warnings(org).get()  # one warning: later messages add none
    assert alert.message == sent[4]
    assert not sent[4].decision["findings"]
    # Its evidence is the findings that made the level rise, each from its
    # own message, never the ordinary one.
    named = {f["message"] for f in alert.findings}
    assert named and named <= {str(m.code) for m in sent[:4]}
    entry = alert.ledger_entry
    assert entry.content["message"] == str(sent[4].code)
    assert entry.subjects == [str(sender.code)]
    assert InboxItem.objects.filter(user=lead, message=sent[4]).exists()


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


# ``warn_early`` looks for evidence once a send; each of its two branches
# looked again before. It as it was, to compare with:
def _warn_early_before(message: Message) -> Alert | None:
    if early_warning.assess_sender(message) is None:
        if message.sender_id is None or not message.evidence:
            return None
        return early_warning._warn_for_conversation(message)
    return early_warning.warn_early(message)  # its second half is unchanged


def _outcomes(actor, to, sequence):
    raised = []
    for body in sequence:
        message = send(actor, to, body=body)
        alert = Alert.objects.filter(
            message=message, kind=Alert.Kind.EARLY_WARNING
        ).first()
        raised.append(
            None
            if alert is None
            else (
                alert.raised_by_conversation,
                [f["indicator"] for f in alert.findings],
            )
        )
    return raised


@pytest.mark.parametrize(
    "sequence",
    [
        ESCALATING,
        ORDINARY,
        [*WARM, PRESSURE],
        [m for pair in zip(ORDINARY, ESCALATING, strict=True) for m in pair],
    ],
    ids=["escalating", "ordinary", "line-model", "interleaved"],
)
def test_early_warnings_are_raised_as_before(
    monkeypatch, org, lead, worker, sender, family, sequence
):
    now = _outcomes(worker, [family.child], sequence)
    # The same messages in a second organisation, with the check as it was.
    other = OrganisationFactory.create(name="Second Church")
    UserFactory.create(organisation=other, role="lead")
    actor = UserFactory.create(organisation=other, role="worker")
    WorkerFactory.create(organisation=other, user=actor)
    monkeypatch.setattr(sending, "warn_early", _warn_early_before)
    before = _outcomes(actor, [make_family(other).child], sequence)
    assert now == before
    assert any(now) == (sequence is not ORDINARY)


def test_a_send_reads_its_text_with_the_line_model_once(
    monkeypatch, org, worker, sender, family
):
    model = default_line_model()
    calls = []
    flagged = type(model).flagged

    def counted(self, texts, scores=None):
        calls.append(list(texts))
        return flagged(self, texts, scores)

    monkeypatch.setattr(type(model), "flagged", counted)
    send(worker, [family.child], body="See you at youth club on Thursday at 7.")
    assert len(calls) == 1


def test_a_message_is_marked_when_it_holds_evidence(org, worker, sender, family):
    ordinary = send(worker, [family.child], body=ORDINARY[0])
    model_only = send(worker, [family.child], body=PRESSURE)
    word_list = send(worker, [family.child], body=ESCALATING[4])
    marked = dict(
        Message.objects.filter(
            pk__in=[ordinary.pk, model_only.pk, word_list.pk]
        ).values_list("pk", "evidence")
    )
    assert marked == {ordinary.pk: False, model_only.pk: True, word_list.pk: True}


def test_an_ordinary_message_is_read_again_only_inside_a_window_with_evidence(
    monkeypatch, org, worker, sender, family
):
    monkeypatch.setattr(early_warning, "WINDOW", 3)
    # The line model's finding alone marks the window: it has no word-list
    # finding, which is all the window check saw before.
    send(worker, [family.child], body=PRESSURE)
    inside = [send(worker, [family.child], body=body) for body in ORDINARY[:3]]
    windows = [early_warning._windows_hold_evidence(m) for m in inside]
    # Each is a new direct message, in no thread: no conversation to read.
    assert windows == [(True, False), (True, False), (False, False)]


def test_the_migration_marks_stored_messages_with_word_list_findings(
    org, worker, sender, family
):
    from importlib import import_module

    from django.apps import apps

    flagged = send(worker, [family.child], body=ESCALATING[4])
    plain = send(worker, [family.child], body=ORDINARY[0])
    Message.objects.update(evidence=False)  # as stored before the field
    import_module("safecontact.contact.migrations.0016_message_evidence").mark(
        apps, None
    )
    assert set(Message.objects.filter(evidence=True)) == {flagged}
    assert plain.decision["findings"] == []
