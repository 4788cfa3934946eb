"""The audit trail page: read-only, this organisation's entries only."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.people import services
from safecontact.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_lead_sees_who_changed_what(client_for, lead, org):
    person = PersonFactory.create(organisation=org, first_name="Old")
    services.update_person(actor=lead, person=person, first_name="New")
    text = client_for(lead).get(reverse("people:audit")).content.decode()
    assert "First name: Old → New" in text and "Lena Lead changed New" in text


def test_another_organisations_entries_are_not_shown(
    client_for, lead, org, other_org, make_user
):
    other_lead = make_user("lead", other_org)
    services.create_person(
        actor=other_lead, organisation=other_org, first_name="Secretname", kind="child"
    )
    text = client_for(lead).get(reverse("people:audit")).content.decode()
    assert "Secretname" not in text


def test_the_audit_page_cannot_be_posted_to(client_for, lead):
    response = client_for(lead).post(reverse("people:audit"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
