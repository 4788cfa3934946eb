"""Purposes at compose and send: only what fits the group or the consents.

Rule ids fired here: purpose.required, purpose.fits_group, consent.purpose,
consent.current.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.services import create_api_key
from safecontact.contact.models import Message
from safecontact.contact.services import send_message
from safecontact.contact.tests.conftest import make_family
from safecontact.groups import services as groups
from safecontact.people.models import Consent
from safecontact.people.selectors.attention import attention_items
from safecontact.people.services import record_consent
from safecontact.people.tests.factories import purpose_named

pytestmark = pytest.mark.django_db


def _api(client, user, data, path="/messages"):
    _, raw = create_api_key(actor=user, name="test")
    return client.post(
        f"/api/v1/contact{path}",
        {"body": "See you on Thursday.", "channel": "email", **data},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def _rules(message_or_json):
    decision = getattr(message_or_json, "decision", None) or message_or_json["decision"]
    return {r["rule_id"] for r in decision["reasons"]}


def test_a_group_message_with_the_groups_purpose_is_queued(client, worker, group):
    response = _api(
        client,
        worker,
        {
            "group": str(group.code),
            "purpose": str(purpose_named(group.organisation).code),
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["status"] == "queued"
    assert response.json()["purpose"] == "Youth group"


def test_the_api_refuses_a_purpose_the_group_does_not_have(client, worker, group):
    trips = purpose_named(group.organisation, "Trips and events")
    response = _api(
        client, worker, {"group": str(group.code), "purpose": str(trips.code)}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    problem = response.json()["details"]["purpose"][0]
    assert problem == (
        "Trips and events is not a purpose of Thursday Youth Club. "
        "Choose one of: Youth group."
    )
    assert not Message.objects.exists()


def test_compose_refuses_a_purpose_the_group_does_not_have(client_for, worker, group):
    trips = purpose_named(group.organisation, "Trips and events")
    html = (
        client_for(worker)
        .post(
            reverse("contact:compose"),
            {
                "group": str(group.code),
                "channel": "email",
                "purpose": str(trips.code),
                "body": "Hello",
                "action": "check",
            },
        )
        .content.decode()
    )
    assert "Trips and events is not a purpose of Thursday Youth Club." in html
    assert "Check result" not in html


def test_a_direct_message_may_only_have_a_purpose_every_consent_allows(
    client, worker, sender, org
):
    trips = purpose_named(org, "Trips and events")
    both = make_family(org, purposes=["Youth group", trips])
    youth_only = make_family(org)
    people = [str(both.child.code), str(youth_only.child.code)]
    refused = _api(client, worker, {"recipients": people, "purpose": str(trips.code)})
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "does not allow Trips and events" in refused.json()["details"]["purpose"][0]
    allowed = _api(
        client, worker, {"recipients": [people[0]], "purpose": str(trips.code)}
    )
    assert allowed.status_code == HTTPStatus.CREATED
    assert allowed.json()["status"] == "queued"


def test_consents_with_no_purpose_in_common_say_so(client, worker, sender, org):
    trips = purpose_named(org, "Trips and events")
    one, two = make_family(org, purposes=[trips]), make_family(org)
    response = _api(
        client,
        worker,
        {
            "recipients": [str(one.child.code), str(two.child.code)],
            "purpose": str(trips.code),
        },
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "no purpose in common" in response.json()["details"]["purpose"][0]


def test_a_retired_purpose_cannot_be_chosen(client, client_for, lead, worker, group):
    youth = purpose_named(group.organisation)
    groups.retire_purpose(actor=lead, purpose=youth)
    response = _api(
        client, worker, {"group": str(group.code), "purpose": str(youth.code)}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "retired" in response.json()["details"]["purpose"][0]
    html = client_for(worker).get(reverse("contact:compose")).content.decode()
    assert f'value="{youth.code}"' not in html


def test_another_organisations_purpose_is_not_found(client, worker, group, other_org):
    theirs = purpose_named(other_org)
    response = _api(
        client, worker, {"group": str(group.code), "purpose": str(theirs.code)}
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["details"]["purpose"] == ["The purpose was not found."]


def test_no_purpose_is_blocked_with_the_reason(client, worker, group):
    response = _api(client, worker, {"group": str(group.code)})
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["status"] == "blocked"
    assert "purpose.required" in _rules(response.json())


def test_the_rules_block_a_retired_purpose_given_to_the_service(lead, worker, group):
    youth = purpose_named(group.organisation)
    groups.retire_purpose(actor=lead, purpose=youth)
    message = send_message(
        actor=worker,
        group=group,
        recipients=[],
        channel="email",
        purpose=youth,
        subject="",
        body="Hello",
    )
    assert message.status == Message.Status.BLOCKED
    assert "purpose.required" in _rules(message)


def test_the_rules_block_a_purpose_outside_the_group_given_to_the_service(
    worker, group
):
    trips = purpose_named(group.organisation, "Trips and events")
    message = send_message(
        actor=worker,
        group=group,
        recipients=[],
        channel="email",
        purpose=trips,
        subject="",
        body="Hello",
    )
    assert message.status == Message.Status.BLOCKED
    assert "purpose.fits_group" in _rules(message)


def test_a_member_whose_consent_does_not_allow_the_groups_purpose_blocks_it(
    client, worker, group
):
    child = group.members.filter(person__kind="child").first().person
    consent = child.consents.get()
    consent.purposes.set([purpose_named(group.organisation, "Choir")])
    response = _api(
        client,
        worker,
        {
            "group": str(group.code),
            "purpose": str(purpose_named(group.organisation).code),
        },
    )
    assert response.json()["status"] == "blocked"
    reasons = response.json()["decision"]["reasons"]
    assert [r["person"] for r in reasons if r["rule_id"] == "consent.purpose"] == [
        str(child.code)
    ]
    assert "does not cover 'Youth group'" in str(reasons)


def test_a_rename_changes_the_purpose_everywhere_at_once(client, lead, worker, group):
    youth = purpose_named(group.organisation)
    groups.rename_purpose(actor=lead, purpose=youth, name="Weekly club news")
    response = _api(
        client, worker, {"group": str(group.code), "purpose": str(youth.code)}
    )
    assert response.json()["status"] == "queued"
    assert response.json()["purpose"] == "Weekly club news"


def test_consent_that_has_not_started_is_not_current_everywhere(
    client, client_for, lead, worker, sender, org, group
):
    """One definition: the gateway, the attention list, the person's page
    and the API agree about a consent dated tomorrow."""
    family = make_family(org)
    family.consent.evidence_date = timezone.localdate() + dt.timedelta(days=1)
    family.consent.save()
    family.consent.groups.set([group])
    group.members.create(person=family.child)
    response = _api(
        client,
        worker,
        {
            "recipients": [str(family.child.code)],
            "purpose": str(purpose_named(org).code),
        },
    )
    reasons = response.json()["decision"]["reasons"]
    current = [r for r in reasons if r["rule_id"] == "consent.current"]
    assert [r["person"] for r in current] == [str(family.child.code)]
    assert "only starts on" in current[0]["message"]
    items = [i.message for i in attention_items(org, timezone.localdate())]
    assert f"Consent is not in force yet and they are in {group}." in items
    page = client_for(lead).get(family.child.get_absolute_url()).content.decode()
    assert "consent is not in force yet" in page
    _, raw = create_api_key(actor=lead, name="t")
    history = client.get(
        f"/api/v1/people/{family.child.code}/consent",
        headers={"Authorization": f"Bearer {raw}"},
    ).json()["items"]
    assert history[0]["state"] == "not_started"


def test_the_attention_list_flags_a_consent_allowing_none_of_a_groups_purposes(
    org, group, lead
):
    child = group.members.filter(person__kind="child").first().person
    # A new consent for the group that allows only choir, recorded as the Lead would.
    record_consent(
        actor=lead,
        subject=child,
        evidence=Consent.Evidence.FORM,
        evidence_date=timezone.localdate(),
        channels=["email"],
        purposes=[purpose_named(org, "Choir")],
        groups=[group],
        given_by=child.consents.get().given_by,
    )
    items = [i for i in attention_items(org, timezone.localdate()) if i.person == child]
    assert [i.message for i in items] == [
        f"Consent allows none of the purposes of {group}."
    ]
