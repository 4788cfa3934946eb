"""A group's conduct agreement (what the group is for, what is and is not OK)
reaches its new members when they join, and is on the family page."""

from __future__ import annotations

from safecontact.families.tests.conftest import link_for
from safecontact.groups.services import add_member
from safecontact.groups.tests.factories import GroupFactory
from safecontact.people.tests.factories import AdultAtRiskFactory

AGREEMENT = "We share news about the club. Nobody shares photos of anyone else."


def test_a_childs_parents_get_the_agreement_when_the_child_joins(
    org, lead, family, smtp, mailing
):
    group = GroupFactory.create(organisation=org, conduct_agreement=AGREEMENT)
    with mailing():
        add_member(actor=lead, group=group, person=family.child)
    [received] = smtp.mailbox.for_address(family.parent.email)
    body = received.message.get_content()
    assert AGREEMENT in body
    assert f"{family.child.first_name} has joined {group.name}" in body
    assert smtp.mailbox.for_address(family.child.email) == []


def test_an_adult_at_risk_gets_the_agreement_in_easy_read_wrapping(
    org, lead, smtp, mailing
):
    group = GroupFactory.create(
        organisation=org,
        conduct_agreement=AGREEMENT,
        audience="adults_at_risk",
        age_min=None,
        age_max=None,
    )
    adult = AdultAtRiskFactory.create(organisation=org)
    with mailing():
        add_member(actor=lead, group=group, person=adult)
    [received] = smtp.mailbox.for_address(adult.email)
    body = received.message.get_content()
    assert AGREEMENT in body
    assert "Worried? Upset? Tell us." in body


def test_a_group_without_an_agreement_sends_nothing(org, lead, family, smtp, mailing):
    group = GroupFactory.create(organisation=org, conduct_agreement="")
    with mailing():
        add_member(actor=lead, group=group, person=family.child)
    assert not smtp.mailbox.received


def test_the_family_page_shows_the_agreement(client, org, lead, family):
    group = GroupFactory.create(organisation=org, conduct_agreement=AGREEMENT)
    add_member(actor=lead, group=group, person=family.child)
    page = client.get(link_for(family.parent)).text
    assert group.name in page
    assert AGREEMENT in page
