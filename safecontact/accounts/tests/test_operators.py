from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from safecontact.accounts import services
from safecontact.accounts.models import Organisation, User
from safecontact.accounts.selectors import first_run_steps
from safecontact.accounts.tests.factories import PASSWORD, UserFactory
from safecontact.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db) -> User:
    return UserFactory.create(organisation=None, is_superuser=True, is_staff=True)


def test_the_operator_lists_organisations_without_personal_data(
    client, operator, lead, worker, org
):
    login(client, operator)
    page = client.get(reverse("operators:list"))
    assert page.status_code == HTTPStatus.OK
    assert escape(org.name).encode() in page.content
    listed = next(o for o in page.context["organisations"] if o.pk == org.pk)
    assert listed.active_users == 2
    assert lead.email.encode() not in page.content
    assert lead.first_name.encode() not in page.content


def test_the_operator_creates_an_organisation_and_its_lead_is_invited(
    client, operator, mailoutbox, django_capture_on_commit_callbacks
):
    login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("operators:list"),
            {
                "name": "St Bede's",
                "timezone": "Europe/London",
                "lead_email": "b@example.org",
            },
        )
    assert response.status_code == HTTPStatus.FOUND
    assert Organisation.objects.filter(name="St Bede's").exists()
    assert mailoutbox[0].to == ["b@example.org"]
    # The operator's invitation is not the new Lead's "invite people" step.
    bede = Organisation.objects.get(name="St Bede's")
    assert not next(s for s in first_run_steps(bede) if "Invite" in s.title).done


def test_a_duplicate_organisation_is_refused_clearly(client, operator, org):
    login(client, operator)
    response = client.post(
        reverse("operators:list"),
        {"name": org.name, "timezone": "Nowhere/Land", "lead_email": "x@example.org"},
    )
    assert response.status_code == HTTPStatus.OK
    assert b"error-summary" in response.content
    assert Organisation.objects.count() == 1


def test_a_suspended_organisations_users_cannot_sign_in_or_use_the_api(
    client, operator, worker, org
):
    signed_in = login(Client(), worker)
    _, raw = services.create_api_key(actor=worker, name="script")
    login(client, operator)
    client.post(reverse("operators:suspend", args=[org.code]), {"suspended": "yes"})
    org.refresh_from_db()
    assert org.is_suspended
    page = signed_in.get(reverse("contact:compose"), follow=True)
    assert b"suspended" in page.content
    fresh = Client()
    response = fresh.post(
        reverse("accounts:login"), {"username": worker.username, "password": PASSWORD}
    )
    assert b"suspended" in response.content
    api = Client().get("/api/v1/people/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == HTTPStatus.UNAUTHORIZED
    client.post(reverse("operators:suspend", args=[org.code]), {"suspended": "no"})
    fresh.post(
        reverse("accounts:login"), {"username": worker.username, "password": PASSWORD}
    )
    assert fresh.get(reverse("contact:compose")).status_code == HTTPStatus.OK


def test_only_superusers_open_the_operators_page(client, lead):
    login(client, lead)
    assert client.get(reverse("operators:list")).status_code == HTTPStatus.NOT_FOUND
