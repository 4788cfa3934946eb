"""A password alone never opens what needs the two-step check (issue 14, finding 1).

A Lead, deputy or trustee signed in with the password only reaches the login,
logout and two-step pages, the public report pages and the health check;
everything else is a redirect to the two-step page, or a JSON 403 on the API.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from safecontact.accounts.models import ApiKey
from safecontact.accounts.tests.factories import PASSWORD
from safecontact.concerns.models import ChronologyEntry
from safecontact.concerns.tests.factories import make_case
from safecontact.lib.access import TWO_FACTOR_MESSAGE

pytestmark = pytest.mark.django_db

TWO_FACTOR_MIDDLEWARE = "safecontact.accounts.middleware.TwoFactorRequiredMiddleware"


def password_only(user) -> Client:
    """Signed in through the login form, the code not yet given."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    return client


@pytest.fixture(params=["lead", "deputy", "trustee"])
def oversight_user(request, org, make_user):
    return make_user(request.param, org)


def test_the_api_refuses_a_password_only_session(oversight_user, org):
    case = make_case(org)
    response = password_only(oversight_user).get(f"/api/v1/concerns/cases/{case.code}")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"error": TWO_FACTOR_MESSAGE}
    listing = password_only(oversight_user).get("/api/v1/people/")
    assert listing.status_code == HTTPStatus.FORBIDDEN


def test_a_password_only_lead_cannot_add_to_a_chronology(lead, org):
    case = make_case(org)
    response = password_only(lead).post(
        f"/api/v1/concerns/cases/{case.code}/chronology",
        {"text": "Spoke to the family", "kind": "note"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not ChronologyEntry.objects.filter(case=case, text__contains="family")


def test_a_password_only_session_cannot_make_an_api_key(oversight_user):
    client = password_only(oversight_user)
    response = client.post(reverse("accounts:api_keys"), {"name": "Backdoor"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    assert not ApiKey.objects.exists()


def test_the_session_api_refuses_even_without_the_middleware(lead, org, settings):
    # The API's own session check is a second lock, not a copy of the first.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != TWO_FACTOR_MIDDLEWARE]
    case = make_case(org)
    response = password_only(lead).get(f"/api/v1/concerns/cases/{case.code}")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"error": TWO_FACTOR_MESSAGE}


def test_pages_refuse_even_without_the_middleware(lead, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != TWO_FACTOR_MIDDLEWARE]
    client = password_only(lead)
    for url in (reverse("accounts:api_keys"), reverse("concerns:list")):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith(reverse("accounts:two_factor"))
    assert client.post(reverse("accounts:api_keys"), {"name": "x"}).status_code in (
        HTTPStatus.FOUND,
        HTTPStatus.FORBIDDEN,
    )
    assert not ApiKey.objects.exists()


def test_a_password_only_session_reaches_only_the_allowed_pages(lead, org):
    client = password_only(lead)
    assert client.get(reverse("accounts:two_factor")).status_code == HTTPStatus.OK
    assert client.get(reverse("healthz")).status_code == HTTPStatus.OK
    report = reverse("report:start", args=[org.report_token])
    assert client.get(report).status_code == HTTPStatus.OK
    for url in ("/", "/account/api-keys/", "/people/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith(reverse("accounts:two_factor"))
    assert client.post(reverse("accounts:logout")).status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in client.session


def test_the_redirect_keeps_where_they_were_going(lead):
    response = password_only(lead).get("/people/?q=a&kind=child")
    assert response["Location"] == (
        reverse("accounts:two_factor") + "?next=%2Fpeople%2F%3Fq%3Da%26kind%3Dchild"
    )


def test_a_verified_lead_uses_the_api_through_the_session(client_for, lead, org):
    case = make_case(org)
    response = client_for(lead).get(f"/api/v1/concerns/cases/{case.code}")
    assert response.status_code == HTTPStatus.OK


def test_a_worker_needs_no_code_for_the_api(worker):
    response = password_only(worker).get("/api/v1/groups/")
    assert response.status_code == HTTPStatus.OK
