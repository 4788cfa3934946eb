"""Who a worker may pick as a recipient: no more of the register than they need."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.accounts.services import create_api_key
from safecontact.contact.models import Message
from safecontact.contact.selectors import contactable_groups, contactable_people
from safecontact.contact.tests.conftest import make_family
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.tests.factories import purpose_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def strangers(org, sender):
    """A child in a group the worker is not in, with consent naming a role
    the worker does not have."""
    family = make_family(org, allowed_roles=["Choir leader"])
    choir = GroupFactory.create(organisation=org, name="Choir")
    GroupMemberFactory.create(group=choir, person=family.child)
    return family, choir


def test_a_worker_sees_their_groups_children_and_those_childrens_parents(
    worker, sender, group
):
    people = set(contactable_people(worker))
    children = {m.person for m in group.members.all() if m.person.kind == "child"}
    assert children <= people
    assert all(c.carers.get().carer in people for c in children)


def test_a_worker_does_not_see_people_outside_their_groups_and_consents(
    worker, sender, group, strangers
):
    family, choir = strangers
    people = set(contactable_people(worker))
    assert family.child not in people
    assert family.parent not in people
    assert choir not in set(contactable_groups(worker))


def test_a_worker_sees_a_child_whose_consent_names_them(worker, sender, org):
    family = make_family(org, allowed_roles=[], allowed_workers=[sender])
    assert family.child in set(contactable_people(worker))


def test_the_lead_sees_everyone_but_workers(lead, sender, group, strangers):
    family, choir = strangers
    people = set(contactable_people(lead))
    assert family.child in people
    assert sender not in people
    assert choir in set(contactable_groups(lead))


def test_compose_refuses_a_person_the_worker_may_not_pick(
    client_for, worker, sender, group, strangers
):
    family, _ = strangers
    response = client_for(worker).post(
        reverse("contact:compose"),
        {
            "recipients": [str(family.child.code)],
            "channel": "email",
            "purpose": str(purpose_named(family.child.organisation).code),
            "body": "Hello",
            "action": "check",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "not one of the available choices" in response.content.decode()
    assert family.child.first_name not in response.content.decode()


def _api(client, user, path, data):
    _, raw = create_api_key(actor=user, name="test")
    return client.post(
        f"/api/v1/contact{path}",
        data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


@pytest.mark.parametrize("path", ["/messages/preview", "/messages"])
def test_the_api_refuses_a_person_the_compose_page_does_not_offer(
    client, worker, sender, group, strangers, path
):
    family, _ = strangers
    response = _api(
        client,
        worker,
        path,
        {
            "recipients": [str(family.child.code)],
            "purpose": str(purpose_named(family.child.organisation).code),
            "body": "Hello",
        },
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"error": "Not found."}
    assert family.child.first_name not in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("path", ["/messages/preview", "/messages"])
def test_the_api_refuses_a_group_the_compose_page_does_not_offer(
    client, worker, sender, group, strangers, path
):
    family, choir = strangers
    response = _api(
        client,
        worker,
        path,
        {
            "group": str(choir.code),
            "purpose": str(purpose_named(family.child.organisation).code),
            "body": "Hello",
        },
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert family.child.first_name not in response.content.decode()
    assert "Choir" not in response.content.decode()
    assert not Message.objects.exists()


def test_the_api_takes_what_the_compose_page_offers(
    client, worker, sender, group, strangers
):
    offered = contactable_people(worker).filter(kind="child").first()
    response = _api(
        client,
        worker,
        "/messages/preview",
        {
            "recipients": [str(offered.code)],
            "purpose": str(purpose_named(offered.organisation).code),
            "body": "Hello",
        },
    )
    assert response.status_code == HTTPStatus.OK, response.json()


def test_the_api_takes_a_parent_of_a_child_in_the_workers_group(
    client, worker, sender, group
):
    """Found as a carer of someone the worker sees, not only when their child
    is on the same message."""
    child = next(m.person for m in group.members.all() if m.person.kind == "child")
    parent = child.carers.get().carer
    response = _api(
        client,
        worker,
        "/messages",
        {
            "recipients": [str(parent.code)],
            "purpose": str(purpose_named(parent.organisation).code),
            "body": "Hello",
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()


def test_a_worker_no_longer_picks_a_child_whose_consent_naming_them_lapsed(
    worker, sender, org
):
    family = make_family(org, allowed_roles=[], allowed_workers=[sender])
    family.consent.expires_on = family.consent.evidence_date
    family.consent.save()
    assert family.child not in set(contactable_people(worker))
