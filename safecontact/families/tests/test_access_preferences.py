"""Accessibility preferences are used by delivery, not just stored: large print,
plain-text email only, the preferred channel when the consent allows, and a
named supporter copied in by the policy engine (access.supporter_copied) and
named in the contact log. Checked on the raw messages the SMTP server got."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.contact.models import Delivery, InboxItem, Message
from safecontact.contact.services import deliver_due
from safecontact.contact.tests.smtp import send
from safecontact.families.tests.conftest import link_for
from safecontact.ledger.models import LedgerEntry
from safecontact.people.models import Consent, Person
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ConsentFactory,
    PersonFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def _adult(org, channels=("email", "in_app"), **prefs):
    adult = AdultAtRiskFactory.create(organisation=org, **prefs)
    ConsentFactory.create(
        subject=adult,
        kind=Consent.Kind.ADULT,
        given_by=None,
        capacity=Consent.Capacity.HAS_CAPACITY,
        channels=list(channels),
    )
    return adult


def _raw(smtp, address):
    [received] = smtp.mailbox.for_address(address)
    return received


def _types(received):
    return [part.get_content_type() for part in received.message.walk()]


def test_large_print_adds_a_large_print_html_version(org, worker, sender, smtp):
    adult = _adult(org, large_print=True)
    send(worker, [adult], body="Coffee morning on Friday at 10.")
    deliver_due()
    received = _raw(smtp, adult.email)
    assert _types(received) == ["multipart/alternative", "text/plain", "text/html"]
    html = received.message.get_body(("html",)).get_content()
    assert "font-size: 24px" in html
    assert "Coffee morning on Friday at 10." in html
    assert "Worried? Upset? Tell us." in html  # the report footer too


def test_plain_text_only_never_gets_html_even_with_large_print(
    org, worker, sender, smtp
):
    adult = _adult(org, large_print=True, plain_text_email=True)
    send(worker, [adult])
    deliver_due()
    received = _raw(smtp, adult.email)
    assert _types(received) == ["text/plain"]
    assert b"text/html" not in received.data


def test_a_copied_parent_with_large_print_gets_their_own_email_showing_everyone(
    org, worker, sender, family, smtp
):
    Person.objects.filter(pk=family.parent.pk).update(large_print=True)
    message = send(worker, [family.child])
    assert message.status == Message.Status.QUEUED, message.reasons
    deliver_due()
    child, parent = _raw(smtp, family.child.email), _raw(smtp, family.parent.email)
    assert child is not parent  # two emails, each to its own people
    assert child.rcpt_tos == [family.child.email]
    assert parent.rcpt_tos == [family.parent.email]
    assert _types(child) == ["text/plain"]
    assert "text/html" in _types(parent)
    for received in (child, parent):
        assert family.child.email in received.message["To"]
        assert family.parent.email in received.message["Cc"]
    assert Delivery.objects.filter(message=message).count() == 2
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_messages_go_to_the_preferred_inbox_when_the_consent_allows(
    org, worker, sender, smtp, make_user
):
    adult = _adult(org, preferred_channel=Person.Channel.IN_APP)
    adult.user = make_user("worker", org)
    adult.save()
    message = send(worker, [adult])
    deliver_due()
    assert not smtp.mailbox.for_address(adult.email)
    assert InboxItem.objects.filter(user=adult.user, message=message).exists()
    logged = LedgerEntry.objects.get(kind=LedgerEntry.Kind.MESSAGE_DELIVERED)
    assert logged.content["routing"]["by"] == "inbox"
    assert logged.content["routing"]["people"] == [str(adult.code)]


def test_the_preferred_channel_is_not_used_when_the_consent_does_not_allow_it(
    org, worker, sender, smtp, make_user
):
    adult = _adult(org, channels=("email",), preferred_channel=Person.Channel.IN_APP)
    adult.user = make_user("worker", org)
    adult.save()
    message = send(worker, [adult])
    deliver_due()
    assert _raw(smtp, adult.email)
    assert not InboxItem.objects.filter(user=adult.user, message=message).exists()


def test_the_named_supporter_gets_a_copy_named_in_the_log_access_supporter_copied(
    org, worker, sender, smtp
):
    helper = PersonFactory.create(organisation=org, first_name="Sam")
    adult = _adult(org, supporter=helper)
    message = send(worker, [adult])
    assert "access.supporter_copied" in [r["rule_id"] for r in message.reasons]
    deliver_due()
    received = _raw(smtp, helper.email)
    assert adult.email in received.rcpt_tos  # one email: the adult sees the copy
    assert helper.email in received.message["Cc"]
    attempt = LedgerEntry.objects.get(kind=LedgerEntry.Kind.MESSAGE_ATTEMPT)
    copied = [r for r in attempt.content["recipients"] if r["added_by_rule"]]
    assert copied == [
        {
            "person": str(helper.code),
            "role": "cc",
            "added_by_rule": "access.supporter_copied",
        }
    ]


def test_the_family_link_email_honours_large_print(org, smtp):
    adult = AdultAtRiskFactory.create(organisation=org, large_print=True)
    from safecontact.families.services import send_link

    assert send_link(adult, "http://testserver/family/x/", adult.created_at)
    assert "text/html" in _types(_raw(smtp, adult.email))


def test_the_lead_edits_preferences_on_the_person_page(client_for, org, lead):
    adult = AdultAtRiskFactory.create(organisation=org)
    helper = PersonFactory.create(organisation=org)
    response = client_for(lead).post(
        reverse("people:edit", args=[adult.code]),
        {
            "first_name": adult.first_name,
            "last_name": adult.last_name,
            "kind": adult.kind,
            "date_of_birth": adult.date_of_birth.isoformat(),
            "email": adult.email,
            "preferred_channel": "email",
            "large_print": "on",
            "supporter": helper.pk,
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.text
    adult.refresh_from_db()
    assert adult.large_print and adult.supporter == helper
    entry = AuditEntry.objects.filter(object_code=str(adult.code)).latest("id")
    assert entry.after is not None
    assert entry.after["large_print"] is True


def test_a_child_cannot_be_a_supporter(client_for, org, lead, family):
    adult = AdultAtRiskFactory.create(organisation=org)
    response = client_for(lead).post(
        reverse("people:edit", args=[adult.code]),
        {
            "first_name": adult.first_name,
            "kind": adult.kind,
            "preferred_channel": "email",
            "supporter": family.child.pk,
        },
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "error-summary" in response.text
    adult.refresh_from_db()
    assert adult.supporter is None


def test_an_adult_sets_their_own_preferences_on_the_easy_read_page(client, org):
    adult = AdultAtRiskFactory.create(organisation=org)
    carer = RelationshipFactory.create(person=adult, relationship="carer").carer
    path = link_for(adult)
    page = client.get(path).text
    assert "How you like your messages" in page
    assert carer.first_name in page
    token = path.strip("/").split("/")[-1]
    response = client.post(
        reverse("families:preferences", args=[token]),
        {
            "large_print": "on",
            "preferred_channel": "email",
            "supporter": carer.pk,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    adult.refresh_from_db()
    assert adult.large_print and adult.supporter == carer
    entry = AuditEntry.objects.filter(object_code=str(adult.code)).latest("id")
    assert entry.actor_label == f"{adult} (online, by secure link)"


def test_an_adult_cannot_name_someone_else_as_supporter(client, org):
    adult = AdultAtRiskFactory.create(organisation=org)
    RelationshipFactory.create(person=adult, relationship="carer")
    stranger = PersonFactory.create(organisation=org)
    token = link_for(adult).strip("/").split("/")[-1]
    response = client.post(
        reverse("families:preferences", args=[token]),
        {"preferred_channel": "email", "supporter": stranger.pk},
    )
    assert response.status_code == HTTPStatus.OK
    assert "error-summary" in response.text
    adult.refresh_from_db()
    assert adult.supporter is None


def test_a_parents_link_cannot_set_preferences(client, org, family):
    token = link_for(family.parent).strip("/").split("/")[-1]
    client.post(
        reverse("families:preferences", args=[token]),
        {"preferred_channel": "in_app", "large_print": "on"},
    )
    family.parent.refresh_from_db()
    assert not family.parent.large_print


def test_a_split_message_stopped_as_it_leaves_is_stopped_once_consent_current(
    org, worker, sender, family, smtp, lead
):
    from safecontact.people.services import withdraw_consent
    from safecontact.people.tests.factories import today

    Person.objects.filter(pk=family.parent.pk).update(large_print=True)
    message = send(worker, [family.child])
    withdraw_consent(
        actor=lead, subject=family.child, evidence="email", evidence_date=today()
    )
    deliver_due()
    assert not smtp.mailbox.received
    statuses = set(
        Delivery.objects.filter(message=message).values_list("status", flat=True)
    )
    assert statuses == {Delivery.Status.STOPPED}
    message.refresh_from_db()
    assert message.status == Message.Status.STOPPED
    assert "consent.current" in [r["rule_id"] for r in message.recheck["stopped_by"]]
    assert LedgerEntry.objects.filter(kind="message.rechecked").count() == 1
