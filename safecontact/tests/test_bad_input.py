"""Bad input is a clear 4xx error, never a 500 (issue 14's reproduced findings)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse

from safecontact.people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _too_big() -> bytes:
    return b'{"first_name": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'


def test_an_api_body_over_the_limit_is_a_413_with_a_json_error(api):
    response = api.post(f"{API}/people/", _too_big(), content_type="application/json")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "too large" in response.json()["error"]


def test_a_form_over_the_limit_is_a_413_page(client_for, lead):
    response = client_for(lead).post(
        reverse("people:add"),
        _too_big(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert b"Too much to send at once" in response.content
    assert b"site-header" in response.content  # the site's own page, styled


@pytest.mark.parametrize(
    "query",
    [
        "people/?page=99999999999999999999999",
        "people/?page=9223372036854775807",
        "people/?page_size=100000",
        "people/workers?page=-1",
        "contact/messages?limit=99999999999999999999",
        "contact/messages?offset=9223372036854775808",
        "contact/alerts?limit=0",
        "ledger/entries?page=4611686018427387904",
    ],
)
def test_page_numbers_past_the_bounds_are_a_422(api, query):
    response = api.get(f"{API}/{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"] == "The request is not valid."


def test_a_page_past_the_end_is_empty(api):
    response = api.get(f"{API}/people/?page=1000000")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["items"] == []


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31"])
def test_dates_that_would_overflow_are_a_422(api, query):
    response = api.get(f"{API}/ledger/entries?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    [message] = response.json()["details"][query.split("=")[0]]
    assert "between 1900-01-01 and 2999-12-31" in message


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31"])
def test_the_log_page_takes_dates_at_either_end(client_for, lead, query):
    org = lead.organisation
    org.timezone = "Pacific/Kiritimati"  # UTC+14: the furthest from UTC
    org.save()
    response = client_for(lead).get(f"{reverse('ledger:list')}?{query}")
    assert response.status_code == HTTPStatus.OK


def test_a_search_of_2000_words_is_a_422(api):
    response = api.get(f"{API}/people/", {"q": " ".join(["word"] * 2000)})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "q" in response.json()["details"]


def test_a_search_of_too_many_short_words_is_a_422(api):
    response = api.get(f"{API}/people/", {"q": " ".join("abcdefghijk")})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["details"]["q"] == ["Search for at most 10 words."]


def test_null_for_a_field_that_cannot_be_empty_is_a_422(api, lead):
    child = ChildFactory.create(organisation=lead.organisation)
    created = api.post(
        f"{API}/people/",
        {"first_name": "Ann", "kind": "other_adult", "email": None},
        content_type="application/json",
    )
    assert created.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "email" in created.json()["details"]
    patched = api.patch(
        f"{API}/people/{child.code}", {"email": None}, content_type="application/json"
    )
    assert patched.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "'email' cannot be null" in patched.json()["details"]["__all__"][0]


def test_null_clears_a_field_that_may_be_empty(api, lead):
    person = ChildFactory.create(organisation=lead.organisation, kind="other_adult")
    response = api.patch(
        f"{API}/people/{person.code}",
        {"date_of_birth": None},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["date_of_birth"] is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "people/", {"first_name": "A\x00", "kind": "child"}),
        ("post", "people/", {"first_name": "A", "kind": "other_adult", "email": "a\x00@example.org"}),
        ("post", "concerns/", {"narrative": "Worried\x00"}),
        ("post", "contact/messages", {"purpose": "p", "body": "Hello\x00"}),
        ("get", "people/?q=a%00b", None),
        ("get", "people/?kind=a%00b", None),
        ("get", "concerns/cases?status=a%00b", None),
        ("get", "contact/alerts?status=a%00b", None),
        ("get", "ledger/entries?kind=a%00b", None),
    ],
)  # fmt: skip
def test_nul_characters_are_a_422_naming_the_field(api, method, path, body):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = getattr(api, method)(f"{API}/{path}", body, **kwargs)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    messages = [m for ms in response.json()["details"].values() for m in ms]
    assert "Text must not contain NUL characters (\\u0000)." in messages


def test_nul_in_a_list_is_a_422(api, lead):
    child = ChildFactory.create(organisation=lead.organisation)
    response = api.post(
        f"{API}/people/{child.code}/consent",
        {
            "evidence": "form",
            "evidence_date": "2026-01-05",
            "channels": ["email"],
            "allowed_roles": ["any_worker\x00"],
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["details"] == {
        "allowed_roles": ["Text must not contain NUL characters (\\u0000)."]
    }


def test_validation_errors_name_each_field_with_its_messages(api):
    response = api.post(
        f"{API}/people/",
        {"first_name": "", "hours": "x", "date_of_birth": "not a date"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    details = response.json()["details"]
    assert set(details) >= {"first_name", "kind", "date_of_birth"}
    assert all(isinstance(m, str) for ms in details.values() for m in ms)


def test_a_body_that_is_not_json_is_a_clear_error(api):
    response = api.post(f"{API}/people/", b"{not json", content_type="application/json")
    assert response.status_code in (
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    )
    assert "error" in response.json()


def test_dates_out_of_order_name_the_later_field(api):
    response = api.get(f"{API}/ledger/entries?since=2026-01-02&until=2026-01-01")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["details"] == {
        "until": ["'until' must be on or after 'since'."]
    }


def test_an_unknown_api_path_is_a_json_404(api):
    response = api.get(f"{API}/nothing-here")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"error": "Not found."}


def test_a_method_the_path_does_not_take_is_a_json_405(api):
    response = api.delete(f"{API}/people/")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json() == {"error": "Method not allowed."}
    assert "GET" in response["Allow"]


def test_hours_in_other_scripts_digits_are_a_422(api, lead):
    child = ChildFactory.create(organisation=lead.organisation)
    response = api.post(
        f"{API}/people/{child.code}/consent",
        {
            "evidence": "form",
            "evidence_date": "2026-01-05",
            "channels": ["email"],
            "hours": [{"day": 1, "start": "\u0661\u0668:00", "end": "20:00"}],
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "hours.0.start" in response.json()["details"]
