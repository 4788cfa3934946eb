"""The attention list finds each problem at its boundaries, with its fix."""

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from safecontact.groups.tests.factories import (
    GroupFactory,
    GroupMemberFactory,
    PlatformFactory,
)
from safecontact.people.models import Consent
from safecontact.people.selectors.attention import attention_items
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ChildFactory,
    ConsentFactory,
    ParentFactory,
    TrainingFactory,
    VettingCheckFactory,
    WorkerFactory,
    years_ago,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)
NOON = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


def _found(org, category):
    return [i for i in attention_items(org, TODAY) if i.category == category]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


def _worker_with_check_due(org, due):
    person = WorkerFactory.create(organisation=org, vetting="missing")
    issued = due.replace(year=due.year - 3)
    VettingCheckFactory.create(person=person, certificate_date=issued)
    return person


def test_a_check_due_in_exactly_30_days_is_listed(org):
    person = _worker_with_check_due(org, TODAY + datetime.timedelta(days=30))
    [item] = _found(org, "vetting")
    assert item.person == person and "30 days" in item.message
    assert item.fix_url == reverse("people:vetting", args=[person.code])


def test_a_check_due_in_31_days_is_not_listed(org):
    _worker_with_check_due(org, TODAY + datetime.timedelta(days=31))
    assert _found(org, "vetting") == []


def test_a_check_that_expired_yesterday_is_listed_as_expired(org):
    _worker_with_check_due(org, TODAY - datetime.timedelta(days=1))
    [item] = _found(org, "vetting")
    assert "expired on 09 March 2026" in item.message


def test_a_check_on_the_update_service_is_not_due(org):
    person = WorkerFactory.create(organisation=org, vetting="missing")
    VettingCheckFactory.create(
        person=person, certificate_date=years_ago(5), update_service=True
    )
    assert _found(org, "vetting") == []


def test_a_worker_with_no_check_is_listed(org):
    WorkerFactory.create(organisation=org, vetting="missing")
    assert "No DBS check" in _found(org, "vetting")[0].message


def test_training_expiring_in_30_days_and_expired_yesterday_are_listed(org):
    for days in (30, -1, 31):
        person = WorkerFactory.create(organisation=org, training="missing")
        expires = TODAY + datetime.timedelta(days=days)
        TrainingFactory.create(
            person=person,
            completed_on=expires - datetime.timedelta(days=1000),
            expires_on=expires,
        )
    messages = sorted(i.message for i in _found(org, "training"))
    assert len(messages) == 2
    assert any("expired on 09 March 2026" in m for m in messages)


def test_people_who_have_left_are_not_chased_for_checks(org):
    WorkerFactory.create(organisation=org, vetting="expired", left=True)
    assert _found(org, "vetting") == []


@pytest.mark.parametrize("state", ["missing", "expired", "withdrawn"])
def test_a_child_in_a_group_without_consent_in_force_is_listed(org, state):
    child = ChildFactory.create(organisation=org)
    GroupMemberFactory.create(group=GroupFactory.create(organisation=org), person=child)
    if state == "expired":
        ConsentFactory.create(
            subject=child, expires_on=TODAY - datetime.timedelta(days=1)
        )
    if state == "withdrawn":
        ConsentFactory.create(subject=child, status=Consent.Status.WITHDRAWN)
    [item] = _found(org, "consent")
    assert f"Consent is {state}" in item.message
    assert item.fix_url == reverse("people:consent", args=[child.code])


def test_consent_expiring_today_still_counts(org):
    child = ChildFactory.create(organisation=org)
    GroupMemberFactory.create(group=GroupFactory.create(organisation=org), person=child)
    ConsentFactory.create(subject=child, expires_on=TODAY)
    assert _found(org, "consent") == []


def test_consent_naming_other_groups_does_not_cover_this_one(org):
    child = ChildFactory.create(organisation=org)
    group, other = GroupFactory.create_batch(2, organisation=org)
    GroupMemberFactory.create(group=group, person=child)
    ConsentFactory.create(subject=child, groups=[other])
    assert "does not cover" in _found(org, "consent")[0].message


def test_an_adult_at_risk_without_consent_is_listed(org):
    adult = AdultAtRiskFactory.create(organisation=org)
    group = GroupFactory.create(organisation=org, audience="adults_at_risk")
    GroupMemberFactory.create(group=group, person=adult)
    assert _found(org, "consent")[0].person == adult


def test_an_ex_worker_still_in_a_group_is_listed_with_the_remove_link(org):
    person = WorkerFactory.create(organisation=org, left=True)
    member = GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org), person=person, role="leader"
    )
    [item] = _found(org, "ex_worker")
    assert item.fix_url.endswith(f"#member-{member.code}")
    assert _found(org, "unchecked_adult") == []


def test_a_removed_ex_worker_is_not_listed(org):
    person = WorkerFactory.create(organisation=org, left=True)
    GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org), person=person, removed_at=NOON
    )
    assert _found(org, "ex_worker") == []


def test_a_parent_without_a_check_in_a_childrens_group_is_listed(org):
    parent = ParentFactory.create(organisation=org)
    GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org), person=parent, role="parent"
    )
    [item] = _found(org, "unchecked_adult")
    assert item.person == parent


def test_a_parent_in_an_adults_group_is_not_listed(org):
    parent = ParentFactory.create(organisation=org)
    GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org, audience="adults_at_risk"),
        person=parent,
    )
    assert _found(org, "unchecked_adult") == []


def test_a_cleared_worker_in_a_childrens_group_is_not_listed(org):
    GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org),
        person=WorkerFactory.create(organisation=org),
    )
    assert _found(org, "unchecked_adult") == []


def test_a_registered_child_who_turned_18_counts_as_an_adult(org):
    child = ChildFactory.create(
        organisation=org, date_of_birth=datetime.date(2008, 3, 10)
    )
    GroupMemberFactory.create(group=GroupFactory.create(organisation=org), person=child)
    assert _found(org, "unchecked_adult")[0].person == child


def test_a_child_under_the_platforms_minimum_age_is_listed(org):
    platform = PlatformFactory.create(organisation=org, minimum_age=13)
    group = GroupFactory.create(organisation=org, platform=platform)
    young = ChildFactory.create(
        organisation=org, date_of_birth=datetime.date(2013, 3, 11)
    )
    old_enough = ChildFactory.create(
        organisation=org, date_of_birth=datetime.date(2013, 3, 10)
    )
    for child in (young, old_enough):
        GroupMemberFactory.create(group=group, person=child)
    [item] = _found(org, "under_age")
    assert item.person == young and "Aged 12" in item.message


def test_a_child_with_no_date_of_birth_on_an_age_limited_platform_is_listed(org):
    platform = PlatformFactory.create(organisation=org, minimum_age=13)
    child = ChildFactory.create(organisation=org, date_of_birth=None)
    GroupMemberFactory.create(
        group=GroupFactory.create(organisation=org, platform=platform), person=child
    )
    [item] = _found(org, "under_age")
    assert item.fix_url == reverse("people:edit", args=[child.code])


def test_another_organisations_problems_are_not_listed(org, other_org):
    WorkerFactory.create(organisation=other_org, vetting="expired")
    assert attention_items(org, TODAY) == []


def test_the_page_shows_each_item_with_its_fix(client_for, lead, org):
    person = WorkerFactory.create(organisation=org, vetting="expired", first_name="Eve")
    text = client_for(lead).get(reverse("people:attention")).content.decode()
    assert "Eve" in text and "Record the renewed DBS check" in text
    assert reverse("people:vetting", args=[person.code]) in text


def test_the_page_says_when_nothing_needs_attention(client_for, lead):
    response = client_for(lead).get(reverse("people:attention"))
    assert response.status_code == HTTPStatus.OK
    assert "Nothing needs your attention" in response.content.decode()


def test_a_group_run_from_a_personal_account_is_listed_with_its_fix(org):
    group = GroupFactory.create(organisation=org, account="personal")
    GroupFactory.create(organisation=org)  # the organisation's own: not listed
    [item] = _found(org, "personal_account")
    assert item.group == group
    assert item.fix_url == reverse("groups:edit", args=[group.code])
