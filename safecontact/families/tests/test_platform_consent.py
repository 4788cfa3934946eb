"""The parent chooses which of the organisation's platforms their consent
covers; the gateway's platform rules then keep group messages to those
(platform.consented)."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from safecontact.contact.models import Message
from safecontact.contact.tests.smtp import send
from safecontact.families.tests.conftest import link_for
from safecontact.groups.tests.factories import (
    GroupFactory,
    GroupMemberFactory,
    PlatformFactory,
)
from safecontact.people.tests.factories import purpose_named


def _rules(message):
    return [r["rule_id"] for r in message.reasons]


def _consent_form(org, group, other, platforms):
    return {
        "channels": ["email"],
        "purposes": [purpose_named(org).pk],
        "groups": [group.pk, other.pk],
        "platforms": [p.pk for p in platforms],
        "days": [str(d) for d in range(7)],
        "start": "08:00",
        "end": "21:00",
        "photos": "no",
    }


def test_group_messages_keep_to_the_platforms_the_parent_chose_platform_consented(
    client, org, worker, sender, group, family
):
    gaming = GroupFactory.create(
        organisation=org,
        name="Gaming night",
        platform=PlatformFactory.create(organisation=org, name="Discord"),
    )
    GroupMemberFactory.create(group=gaming, person=sender, role="leader")
    GroupMemberFactory.create(group=gaming, person=family.child)
    GroupMemberFactory.create(group=group, person=family.child)
    family.consent.groups.set([group, gaming])
    assert send(worker, [], group=gaming).status == Message.Status.QUEUED

    path = link_for(family.parent)
    page = client.get(
        reverse(
            "families:consent", args=[path.strip("/").split("/")[-1], family.child.code]
        )
    ).text
    assert "Apps and websites contact may use" in page
    assert "Discord" in page and group.platform.name in page
    token = path.strip("/").split("/")[-1]
    response = client.post(
        reverse("families:consent", args=[token, family.child.code]),
        _consent_form(org, group, gaming, [group.platform]),
    )
    assert response.status_code == HTTPStatus.FOUND
    consent = family.child.consents.first()
    assert list(consent.platforms.all()) == [group.platform]
    assert group.platform.name in client.get(path).text

    stopped = send(worker, [], group=gaming)
    assert stopped.status == Message.Status.BLOCKED
    assert "platform.consented" in _rules(stopped)
    reason = next(r for r in stopped.reasons if r["rule_id"] == "platform.consented")
    assert "Discord" in reason["message"]
    allowed = send(worker, [], group=group)
    assert allowed.status == Message.Status.QUEUED, allowed.reasons


def test_a_parent_must_choose_at_least_one_platform(client, org, group, family):
    GroupMemberFactory.create(group=group, person=family.child)
    token = link_for(family.parent).strip("/").split("/")[-1]
    response = client.post(
        reverse("families:consent", args=[token, family.child.code]),
        _consent_form(org, group, group, []),
    )
    assert response.status_code == HTTPStatus.OK
    assert "Choose at least one app or website contact may use." in response.text
    assert family.child.consents.count() == 1  # only the factory's record


def test_another_organisations_platform_cannot_be_chosen(
    client, org, other_org, group, family
):
    GroupMemberFactory.create(group=group, person=family.child)
    theirs = PlatformFactory.create(organisation=other_org, name="Elsewhere")
    token = link_for(family.parent).strip("/").split("/")[-1]
    response = client.post(
        reverse("families:consent", args=[token, family.child.code]),
        _consent_form(org, group, group, [theirs]),
    )
    assert response.status_code == HTTPStatus.OK
    assert "error-summary" in response.text
    assert family.child.consents.count() == 1
