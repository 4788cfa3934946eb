"""Every register page: who may open it, and another organisation's records."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.conftest import login
from safecontact.groups.tests.factories import GroupFactory, GroupMemberFactory
from safecontact.people.tests.factories import (
    ChildFactory,
    ConsentFactory,
    RelationshipFactory,
    WorkerFactory,
    purpose_named,
)

pytestmark = pytest.mark.django_db

LIST_PAGES = ["people:list", "people:attention", "people:audit", "people:add"]
PERSON_PAGES = [
    "people:detail",
    "people:edit",
    "people:worker",
    "people:vetting",
    "people:training",
    "people:relationship",
    "people:consent",
    "people:withdraw",
]
LEAD_ONLY = {"people:add", *PERSON_PAGES} - {"people:detail"}


@pytest.fixture
def child(org):
    child = ChildFactory.create(organisation=org)
    link = RelationshipFactory.create(person=child)
    ConsentFactory.create(subject=child, given_by=link.carer)
    return child


@pytest.mark.parametrize("name", LIST_PAGES)
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert "/login" in response["Location"]


@pytest.mark.parametrize("name", PERSON_PAGES)
def test_anonymous_users_cannot_open_a_person(client, child, name):
    response = client.get(reverse(name, args=[child.code]))
    assert response.status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("name", PERSON_PAGES)
def test_another_organisations_person_is_not_found(client_for, lead, other_org, name):
    stranger = ChildFactory.create(organisation=other_org)
    response = client_for(lead).get(reverse(name, args=[stranger.code]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("name", sorted(LEAD_ONLY))
@pytest.mark.parametrize("role", ["worker", "trustee"])
def test_only_leads_open_the_forms(client_for, make_user, org, child, name, role):
    args = [] if name == "people:add" else [child.code]
    response = client_for(make_user(role, org)).get(reverse(name, args=args))
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", ["people:attention", "people:audit"])
def test_workers_cannot_open_the_attention_list_or_audit_trail(
    client_for, worker, name
):
    assert client_for(worker).get(reverse(name)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", LIST_PAGES)
def test_the_lead_opens_every_list(client_for, lead, name):
    assert client_for(lead).get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", PERSON_PAGES)
def test_the_lead_opens_every_person_page(client_for, lead, child, name):
    response = client_for(lead).get(reverse(name, args=[child.code]))
    assert response.status_code == HTTPStatus.OK


def test_a_worker_sees_people_in_their_groups_but_no_evidence(
    client_for, worker, org, child
):
    me = WorkerFactory.create(organisation=org, user=worker)
    group = GroupFactory.create(organisation=org)
    GroupMemberFactory.create(group=group, person=me, role="leader")
    GroupMemberFactory.create(group=group, person=child)
    colleague = WorkerFactory.create(organisation=org, phone="07700 900123")
    GroupMemberFactory.create(group=group, person=colleague, role="leader")
    page = client_for(worker).get(reverse("people:detail", args=[colleague.code]))
    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK and str(colleague) in text
    for secret in ("07700 900123", colleague.email, "DBS", "Certificate"):
        assert secret not in text
    child_page = client_for(worker).get(reverse("people:detail", args=[child.code]))
    assert "Consent history" not in child_page.content.decode()


def test_a_worker_cannot_open_people_outside_their_groups(client_for, worker, org):
    WorkerFactory.create(organisation=org, user=worker)
    other = ChildFactory.create(organisation=org)
    response = client_for(worker).get(reverse("people:detail", args=[other.code]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_worker_sees_their_own_clearance_with_reasons(client_for, worker, org):
    me = WorkerFactory.create(organisation=org, user=worker, vetting="expired")
    text = (
        client_for(worker)
        .get(reverse("people:detail", args=[me.code]))
        .content.decode()
    )
    assert "No, not cleared" in text and "due for renewal" in text


def test_the_granted_trustee_sees_evidence_but_no_change_links(
    client_for, granted_trustee, org
):
    person = WorkerFactory.create(organisation=org)
    text = (
        client_for(granted_trustee)
        .get(reverse("people:detail", args=[person.code]))
        .content.decode()
    )
    assert "Enhanced" in text and "Record a DBS check" not in text


def test_the_list_searches_by_name_and_filters_by_kind(client_for, lead, org):
    ChildFactory.create(organisation=org, first_name="Zebedee")
    ChildFactory.create(organisation=org, first_name="Florence")
    WorkerFactory.create(organisation=org, first_name="Zachary")
    text = (
        client_for(lead)
        .get(reverse("people:list"), {"q": "ze", "kind": "child"})
        .content.decode()
    )
    assert "Zebedee" in text and "Florence" not in text and "Zachary" not in text


def test_the_list_filters_workers_by_clearance(client_for, lead, org):
    WorkerFactory.create(organisation=org, first_name="Cleo")
    WorkerFactory.create(organisation=org, first_name="Exley", vetting="expired")
    text = (
        client_for(lead)
        .get(reverse("people:list"), {"status": "not_cleared"})
        .content.decode()
    )
    assert "Exley" in text and "Cleo" not in text


def test_the_list_is_paginated(client_for, lead, org):
    ChildFactory.create_batch(30, organisation=org)
    text = client_for(lead).get(reverse("people:list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in text


def test_adding_a_person_with_a_missing_name_explains_the_error(client_for, lead):
    response = client_for(lead).post(reverse("people:add"), {"kind": "child"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Please correct the following" in response.content.decode()
    assert "Enter the child" in response.content.decode()


def test_adding_a_person_redirects_to_their_page(client_for, lead):
    response = client_for(lead).post(
        reverse("people:add"),
        {"first_name": "Ada", "kind": "other_adult", "preferred_channel": "email"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert client_for(lead).get(response["Location"]).status_code == HTTPStatus.OK


def test_withdrawing_consent_through_the_page_keeps_the_history(
    client_for, lead, child
):
    response = client_for(lead).post(
        reverse("people:withdraw", args=[child.code]),
        {"evidence": "email", "evidence_date": "2026-01-05"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert child.consents.count() == 2


def test_recording_consent_through_the_page(client_for, lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    response = client_for(lead).post(
        reverse("people:consent", args=[link.person.code]),
        {
            "given_by": link.carer.pk,
            "channels": ["email"],
            "purposes": [
                purpose_named(org).pk,
                purpose_named(org, "Trips and events").pk,
            ],
            "days": ["0", "2"],
            "start": "18:00",
            "end": "20:00",
            "allowed_roles": ["any_worker"],
            "evidence": "form",
            "evidence_date": "2026-01-05",
            "photos": "no",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    consent = link.person.consents.get()
    assert consent.photos_allowed is False
    assert {p.name for p in consent.purposes.all()} == {
        "Youth group",
        "Trips and events",
    }
    assert consent.hours == [
        {"day": 0, "start": "18:00", "end": "20:00"},
        {"day": 2, "start": "18:00", "end": "20:00"},
    ]


def _consent_post(link, org, **changes):
    data = {
        "given_by": link.carer.pk,
        "channels": ["email"],
        "purposes": [purpose_named(org).pk],
        "days": ["0"],
        "start": "18:00",
        "end": "20:00",
        "allowed_roles": ["any_worker"],
        "evidence": "form",
        "evidence_date": "2026-01-05",
    }
    return {**data, **changes}


def test_a_consent_recorded_by_the_lead_keeps_the_photo_answer(client_for, lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    ConsentFactory.create(
        subject=link.person,
        given_by=link.carer,
        photos_allowed=True,
        photos_where="the newsletter",
    )
    client = client_for(lead)
    url = reverse("people:consent", args=[link.person.code])
    page = client.get(url).content.decode()
    # Asked as the family page asks it, starting from the answer in force.
    assert "May photos of them be shared?" in page
    assert re.search(r'<input[^>]*value="yes"[^>]*checked', page)
    assert 'value="the newsletter"' in page
    response = client.post(
        url, _consent_post(link, org, photos="yes", photos_where="the newsletter")
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    latest = link.person.consents.order_by("-id").first()
    assert latest.photos_allowed is True
    assert latest.photos_where == "the newsletter"


def test_the_lead_must_answer_the_photo_question(client_for, lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    url = reverse("people:consent", args=[link.person.code])
    response = client_for(lead).post(url, _consent_post(link, org))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = response.content.decode()
    assert "Please correct the following" in text
    assert "Say whether photos of them may be shared." in text
    assert not link.person.consents.exists()
    # "No" keeps no place where photos may be shared.
    response = client_for(lead).post(
        url, _consent_post(link, org, photos="no", photos_where="anywhere")
    )
    assert response.status_code == HTTPStatus.FOUND
    consent = link.person.consents.get()
    assert (consent.photos_allowed, consent.photos_where) == (False, "")


@pytest.mark.parametrize("name", ["people:list", "people:attention", "people:audit"])
def test_read_only_pages_refuse_a_post(client_for, lead, name):
    response = client_for(lead).post(reverse(name))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_person_page_refuses_a_post(client_for, lead, child):
    response = client_for(lead).post(reverse("people:detail", args=[child.code]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_forms_refuse_other_methods(client_for, lead, child):
    response = client_for(lead).put(reverse("people:edit", args=[child.code]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_a_worker_sees_only_the_shared_groups_on_a_childs_page(client_for, worker, org):
    me = WorkerFactory.create(organisation=org, user=worker)
    child = ChildFactory.create(organisation=org)
    mine = GroupFactory.create(organisation=org, name="Mine")
    theirs = GroupFactory.create(organisation=org, name="Theirs")
    GroupMemberFactory.create(group=mine, person=me)
    GroupMemberFactory.create(group=mine, person=child)
    GroupMemberFactory.create(group=theirs, person=child)
    text = (
        client_for(worker)
        .get(reverse("people:detail", args=[child.code]))
        .content.decode()
    )
    assert "Mine" in text and "Theirs" not in text


def test_the_consent_form_offers_the_organisations_role_titles(
    client_for, lead, child, org
):
    WorkerFactory.create(organisation=org)  # role title "Youth leader"
    text = (
        client_for(lead)
        .get(reverse("people:consent", args=[child.code]))
        .content.decode()
    )
    assert 'value="Youth leader"' in text and 'value="any_worker"' in text


def test_consent_must_name_a_purpose_in_use(client_for, lead, org):
    link = RelationshipFactory.create(person=ChildFactory.create(organisation=org))
    retired = purpose_named(org, "Old club")
    retired.retired_at = retired.created_at
    retired.save()
    page = client_for(lead).get(reverse("people:consent", args=[link.person.code]))
    assert "Old club" not in page.content.decode()
    response = client_for(lead).post(
        reverse("people:consent", args=[link.person.code]),
        {
            "given_by": link.carer.pk,
            "channels": ["email"],
            "days": ["0"],
            "start": "18:00",
            "end": "20:00",
            "allowed_roles": ["any_worker"],
            "evidence": "form",
            "evidence_date": "2026-01-05",
        },
    )
    assert (
        "Choose at least one purpose contact may be for." in response.content.decode()
    )
    assert not link.person.consents.exists()


def test_training_without_an_expiry_lasts_the_organisations_renewal_period(
    client, lead, org
):
    org.training_renewal_years = 2
    org.save()
    person = WorkerFactory.create(organisation=org, training="missing")
    login(client, lead)
    response = client.post(
        reverse("people:training", args=[person.code]),
        {"level": "foundation", "completed_on": "2026-01-15", "provider": ""},
    )
    assert response.status_code == HTTPStatus.FOUND
    course = person.training.get()
    assert course.expires_on.isoformat() == "2028-01-15"
