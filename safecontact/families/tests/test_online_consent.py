"""Consent given, renewed and withdrawn online through a family link, and the
gateway obeying it at once (rule ids named in the tests)."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.contact.models import Message
from safecontact.contact.services import deliver_due
from safecontact.contact.tests.conftest import LONDON
from safecontact.contact.tests.smtp import send
from safecontact.families.models import FamilyLink
from safecontact.families.tests.conftest import link_for
from safecontact.people.models import Consent
from safecontact.people.services import record_consent
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    ParentFactory,
    RelationshipFactory,
    purpose_named,
)

TUESDAY_10PM = dt.datetime(2026, 3, 10, 22, 0, tzinfo=LONDON)
WEDNESDAY_8_30AM = dt.datetime(2026, 3, 11, 8, 30, tzinfo=LONDON)


def _token(path: str) -> str:
    return path.strip("/").split("/")[-1]


def _new_family(org):
    child = ChildFactory.create(organisation=org, email="kit@kids.example.org")
    parent = ParentFactory.create(organisation=org)
    RelationshipFactory.create(person=child, carer=parent)
    return child, parent


def _boundaries(org, **extra):
    data = {
        "channels": ["email"],
        "purposes": [purpose_named(org).pk],
        "days": [str(d) for d in range(7)],
        "start": "08:00",
        "end": "21:00",
        "photos": "yes",
        "photos_where": "The church newsletter only",
    }
    data.update(extra)
    return data


def test_a_parent_gives_consent_online_and_a_message_then_passes_consent_current(
    client, org, worker, sender
):
    child, parent = _new_family(org)
    before = send(worker, [child])
    assert before.status == Message.Status.BLOCKED
    assert "consent.current" in [r["rule_id"] for r in before.reasons]
    token = _token(link_for(parent))
    response = client.post(
        reverse("families:consent", args=[token, child.code]), _boundaries(org)
    )
    assert response.status_code == HTTPStatus.FOUND
    after = send(worker, [child])
    assert after.status == Message.Status.QUEUED, after.reasons


def test_online_consent_keeps_its_evidence_and_boundaries(client, org):
    child, parent = _new_family(org)
    token = _token(link_for(parent))
    client.post(reverse("families:consent", args=[token, child.code]), _boundaries(org))
    consent = child.consents.get()
    link = FamilyLink.objects.get(person=parent)
    assert consent.evidence == Consent.Evidence.ONLINE
    assert consent.given_by == parent
    assert consent.online_link == link.code
    assert consent.recorded_by is None
    assert consent.channels == ["email"]
    assert [p.name for p in consent.purposes.all()] == [purpose_named(org).name]
    assert consent.photos_allowed is True
    assert consent.photos_where == "The church newsletter only"
    assert consent.expires_on == dt.date(2027, 3, 10)
    entry = AuditEntry.objects.get(object_code=str(consent.code))
    assert entry.actor is None
    assert entry.actor_label == f"{parent} (online, by secure link)"


def test_the_family_page_shows_the_consent_on_record(client, org):
    child, parent = _new_family(org)
    path = link_for(parent)
    client.post(
        reverse("families:consent", args=[_token(path), child.code]), _boundaries(org)
    )
    page = client.get(path).text
    assert "The church newsletter only" in page
    assert purpose_named(org).name in page
    assert f"Withdraw consent for {child.first_name}" in page


def test_consent_without_a_channel_gets_a_clear_error(client, org):
    child, parent = _new_family(org)
    token = _token(link_for(parent))
    response = client.post(
        reverse("families:consent", args=[token, child.code]),
        _boundaries(org, channels=[], days=["9"]),
    )
    assert response.status_code == HTTPStatus.OK
    assert "Choose at least one way we may make contact." in response.text
    assert "Select a valid choice" in response.text
    assert not child.consents.exists()


def test_withdrawing_online_stops_a_deferred_message_consent_current(
    client, org, worker, sender, family, smtp, _tuesday_morning
):
    _tuesday_morning.move_to(TUESDAY_10PM)
    message = send(worker, [family.child])
    assert message.status == Message.Status.DEFERRED, message.reasons
    token = _token(link_for(family.parent))
    response = client.post(
        reverse("families:withdraw", args=[token, family.child.code])
    )
    assert response.status_code == HTTPStatus.FOUND
    assert family.child.consents.first().status == Consent.Status.WITHDRAWN
    _tuesday_morning.move_to(WEDNESDAY_8_30AM)
    counts = deliver_due()
    message.refresh_from_db()
    assert counts["stopped"] == 1 and counts["sent"] == 0
    assert message.status == Message.Status.STOPPED
    assert "consent.current" in [r["rule_id"] for r in message.recheck["stopped_by"]]
    assert not smtp.mailbox.received


def test_withdrawal_takes_effect_at_once_consent_current(
    client, worker, sender, family
):
    token = _token(link_for(family.parent))
    client.post(reverse("families:withdraw", args=[token, family.child.code]))
    message = send(worker, [family.child])
    assert message.status == Message.Status.BLOCKED
    assert "consent.current" in [r["rule_id"] for r in message.reasons]


def test_an_adult_at_risk_gives_their_own_consent_on_the_easy_read_page(client, org):
    adult = AdultAtRiskFactory.create(organisation=org)
    path = link_for(adult)
    page = client.get(path).text
    assert "Do you want us to contact you?" in page
    response = client.post(
        reverse("families:consent", args=[_token(path), adult.code]),
        {"channels": ["email"], "purposes": [purpose_named(org).pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    consent = adult.consents.get()
    assert consent.kind == Consent.Kind.ADULT
    assert consent.capacity == Consent.Capacity.HAS_CAPACITY
    assert consent.evidence == Consent.Evidence.ONLINE
    assert "You said <strong>yes</strong>" in client.get(path).text


def test_the_easy_read_page_says_who_decided_and_why(client, org, lead):
    adult = AdultAtRiskFactory.create(organisation=org)
    record_consent(
        actor=lead,
        subject=adult,
        evidence="form",
        evidence_date=dt.date(2026, 3, 1),
        channels=["email"],
        purposes=[purpose_named(org)],
        capacity=Consent.Capacity.BEST_INTERESTS,
        best_interests_by="Her sister Ann and her social worker",
    )
    path = link_for(adult)
    page = client.get(path).text
    assert "Her sister Ann and her social worker decided this for you" in page
    assert "best-interests decision" in page
    assert "Do you want us to contact you?" not in page
    response = client.post(
        reverse("families:consent", args=[_token(path), adult.code]),
        {"channels": ["email"], "purposes": [purpose_named(org).pk]},
    )
    assert response.status_code == HTTPStatus.OK
    assert adult.consents.count() == 1
