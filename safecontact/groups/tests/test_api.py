"""The groups API: members, platforms, role limits, other organisations."""

from http import HTTPStatus

import pytest

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
API = "/api/v1/groups"


def test_anonymous_requests_are_refused(client, org):
    group = GroupFactory.create(organisation=org)
    for url in (f"{API}/", f"{API}/platforms", f"{API}/{group.code}"):
        assert client.get(url).status_code == HTTPStatus.UNAUTHORIZED, url


def test_groups_come_with_their_current_members(client_for, trustee, org):
    group = GroupFactory.create(organisation=org, name="Youth")
    GroupMemberFactory.create(group=group, person=ChildFactory.create(organisation=org))
    GroupMemberFactory.create(group=group, removed_at="2026-01-01T00:00Z")
    [item] = client_for(trustee).get(f"{API}/").json()["items"]
    assert item["name"] == "Youth" and len(item["members"]) == 1


def test_another_organisations_group_and_platform_are_not_found(
    client_for, lead, other_org
):
    group = GroupFactory.create(organisation=other_org)
    client = client_for(lead)
    assert client.get(f"{API}/{group.code}").status_code == HTTPStatus.NOT_FOUND
    response = client.patch(
        f"{API}/platforms/{group.platform.code}",
        {"approved": True},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    member = GroupMemberFactory.create(group=group)
    response = client.post(f"{API}/members/{member.code}/remove")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_worker_sees_only_their_groups(client_for, worker, org):
    mine = GroupFactory.create(organisation=org, name="Mine")
    GroupFactory.create(organisation=org, name="Theirs")
    GroupMemberFactory.create(
        group=mine, person=WorkerFactory.create(organisation=org, user=worker)
    )
    items = client_for(worker).get(f"{API}/").json()["items"]
    assert [g["name"] for g in items] == ["Mine"]


def test_the_lead_creates_a_group_and_adds_and_removes_a_member(client_for, lead, org):
    client = client_for(lead)
    platform = PlatformFactory.create(organisation=org)
    created = client.post(
        f"{API}/",
        {
            "name": "Wednesday Club",
            "purposes": [str(purpose_named(org, "Crafts").code)],
            "audience": "children",
            "platform": str(platform.code),
            "hours": [{"day": 2, "start": "16:00", "end": "18:00"}],
        },
        content_type="application/json",
    )
    assert created.status_code == HTTPStatus.CREATED, created.json()
    code = created.json()["code"]
    child = ChildFactory.create(organisation=org)
    added = client.post(
        f"{API}/{code}/members",
        {"person": str(child.code)},
        content_type="application/json",
    )
    assert added.status_code == HTTPStatus.CREATED
    removed = client.post(f"{API}/members/{added.json()['code']}/remove")
    assert removed.status_code == HTTPStatus.OK
    assert client.get(f"{API}/{code}").json()["members"] == []


def test_a_worker_cannot_approve_a_platform(client_for, worker, org):
    platform = PlatformFactory.create(organisation=org, approved=False)
    response = client_for(worker).patch(
        f"{API}/platforms/{platform.code}",
        {"approved": True},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_group_without_purpose_is_refused(client_for, lead, org):
    platform = PlatformFactory.create(organisation=org)
    response = client_for(lead).post(
        f"{API}/",
        {
            "name": "X",
            "purposes": [],
            "audience": "children",
            "platform": str(platform.code),
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
