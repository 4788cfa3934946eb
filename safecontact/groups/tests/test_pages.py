"""Group and platform pages: access, another organisation, the changes they make."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.groups.models import GroupMember
from safecontact.groups.tests.factories import (
    GroupFactory,
    GroupMemberFactory,
    PlatformFactory,
)
from safecontact.people.tests.factories import (
    ChildFactory,
    WorkerFactory,
    purpose_named,
)

pytestmark = pytest.mark.django_db
GROUP_PAGES = ["groups:detail", "groups:edit", "groups:member_add"]


def test_anonymous_users_are_sent_to_log_in(client, org):
    group = GroupFactory.create(organisation=org)
    for url in (
        reverse("groups:list"),
        reverse("groups:platforms"),
        *(reverse(n, args=[group.code]) for n in GROUP_PAGES),
    ):
        assert client.get(url).status_code == HTTPStatus.FOUND, url


@pytest.mark.parametrize("name", GROUP_PAGES)
def test_another_organisations_group_is_not_found(client_for, lead, other_org, name):
    group = GroupFactory.create(organisation=other_org)
    response = client_for(lead).get(reverse(name, args=[group.code]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_another_organisations_member_cannot_be_removed(client_for, lead, other_org):
    member = GroupMemberFactory.create(
        group=GroupFactory.create(organisation=other_org)
    )
    response = client_for(lead).post(
        reverse("groups:member_remove", args=[member.code])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    member.refresh_from_db()
    assert member.removed_at is None


def test_another_organisations_platform_cannot_be_approved(client_for, lead, other_org):
    platform = PlatformFactory.create(organisation=other_org, approved=False)
    response = client_for(lead).post(
        reverse("groups:platform_approval", args=[platform.code]), {"approved": "yes"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_removing_a_member_needs_post(client_for, lead, org):
    member = GroupMemberFactory.create(group=GroupFactory.create(organisation=org))
    response = client_for(lead).get(reverse("groups:member_remove", args=[member.code]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_lead_removes_a_member_and_the_row_stays(client_for, lead, org):
    member = GroupMemberFactory.create(group=GroupFactory.create(organisation=org))
    response = client_for(lead).post(
        reverse("groups:member_remove", args=[member.code])
    )
    assert response.status_code == HTTPStatus.FOUND
    assert GroupMember.objects.get(pk=member.pk).removed_at is not None


@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_only_leads_change_groups(client_for, make_user, org, role):
    group = GroupFactory.create(organisation=org)
    user = make_user(role, org)
    for name in ("groups:edit", "groups:member_add"):
        response = client_for(user).get(reverse(name, args=[group.code]))
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_worker_sees_only_their_groups(client_for, worker, org):
    mine = GroupFactory.create(organisation=org, name="Mine")
    GroupFactory.create(organisation=org, name="Theirs")
    GroupMemberFactory.create(
        group=mine, person=WorkerFactory.create(organisation=org, user=worker)
    )
    text = client_for(worker).get(reverse("groups:list")).content.decode()
    assert "Mine" in text and "Theirs" not in text


def test_the_lead_adds_a_group_with_hours(client_for, lead, org):
    platform = PlatformFactory.create(organisation=org)
    response = client_for(lead).post(
        reverse("groups:add"),
        {
            "name": "Friday Club",
            "purposes": [purpose_named(org, "Games and faith").pk],
            "audience": "children",
            "platform": platform.pk,
            "days": ["4"],
            "start": "18:00",
            "end": "20:00",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    text = client_for(lead).get(response["Location"]).content.decode()
    assert "Fri 18:00-20:00" in text


def test_a_group_without_hours_shows_the_default_it_keeps(client_for, lead, org):
    group = GroupFactory.create(organisation=org, hours=[])
    url = reverse("groups:detail", args=[group.code])
    assert "none agreed" in client_for(lead).get(url).content.decode()
    org.default_hours = [{"day": 0, "start": "18:00", "end": "20:00"}]
    org.save()
    text = client_for(lead).get(url).content.decode()
    assert "the organisation's default: Mon 18:00-20:00" in text


def test_a_group_without_a_purpose_is_refused_in_plain_words(client_for, lead, org):
    platform = PlatformFactory.create(organisation=org)
    response = client_for(lead).post(
        reverse("groups:add"),
        {"name": "X", "audience": "children", "platform": platform.pk},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Please correct the following" in response.content.decode()


def test_the_lead_adds_a_member(client_for, lead, org):
    group = GroupFactory.create(organisation=org)
    child = ChildFactory.create(organisation=org)
    response = client_for(lead).post(
        reverse("groups:member_add", args=[group.code]),
        {"person": child.pk, "role": "member"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert group.members.filter(person=child, removed_at=None).exists()


def test_the_lead_approves_a_platform(client_for, lead, org):
    platform = PlatformFactory.create(organisation=org, approved=False)
    client_for(lead).post(
        reverse("groups:platform_approval", args=[platform.code]), {"approved": "yes"}
    )
    platform.refresh_from_db()
    assert platform.approved


def test_a_trustee_cannot_approve_a_platform(client_for, trustee, org):
    platform = PlatformFactory.create(organisation=org, approved=False)
    response = client_for(trustee).post(
        reverse("groups:platform_approval", args=[platform.code]), {"approved": "yes"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
