import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from safecontact.accounts import services
from safecontact.accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash(lead):
    key, raw = services.create_api_key(actor=lead, name="Sync")
    assert raw.startswith("sc_")
    assert raw not in key.hashed_key
    assert ApiKey.objects.get().hashed_key == services.hash_api_key(raw)


def test_a_key_acts_as_its_user(lead):
    _, raw = services.create_api_key(actor=lead, name="Sync")
    assert services.user_for_api_key(raw) == lead
    assert services.user_for_api_key(raw + "x") is None


def test_a_revoked_key_stops_working(lead):
    key, raw = services.create_api_key(actor=lead, name="Sync")
    services.revoke_api_key(actor=lead, key=key)
    assert services.user_for_api_key(raw) is None


def test_the_page_shows_a_new_key_once(client_for, worker):
    client = client_for(worker)
    response = client.post(reverse("accounts:api_keys"), {"name": "Phone"})
    assert response.status_code == HTTPStatus.OK
    assert b"will not be shown again" in response.content
    assert (
        b"will not be shown again"
        not in client.get(reverse("accounts:api_keys")).content
    )


def test_a_user_cannot_revoke_another_organisations_key(
    client_for, worker, other_org, make_user
):
    stranger = make_user("lead", other_org)
    key, _ = services.create_api_key(actor=stranger, name="Theirs")
    response = client_for(worker).post(
        reverse("accounts:revoke_api_key", args=[key.code])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["info"]["title"] == "SafeContact API"


def test_last_used_is_written_at_most_once_a_minute(lead):
    key, raw = services.create_api_key(actor=lead, name="Sync")
    start = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.user_for_api_key(raw)
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        services.user_for_api_key(raw)
    key.refresh_from_db()
    assert key.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        services.user_for_api_key(raw)
    key.refresh_from_db()
    assert key.last_used_at == start + dt.timedelta(seconds=61)


def test_a_key_expires_after_the_configured_days(lead, settings):
    settings.API_KEY_DAYS = 30
    start = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        key, raw = services.create_api_key(actor=lead, name="Sync")
    assert key.expires_at == start + dt.timedelta(days=30)
    with time_machine.travel(start + dt.timedelta(days=29), tick=False):
        assert services.user_for_api_key(raw) == lead
    with (
        time_machine.travel(start + dt.timedelta(days=30), tick=False),
        pytest.raises(services.ApiKeyExpired),
    ):
        services.user_for_api_key(raw)


def test_the_api_refuses_an_expired_key_with_a_clear_message(client_for, worker):
    start = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _, raw = services.create_api_key(actor=worker, name="Sync")
    late = start + dt.timedelta(days=91)
    with time_machine.travel(late, tick=False):
        for headers in ({"authorization": f"Bearer {raw}"}, {"x-api-key": raw}):
            response = Client(headers=headers).get("/api/v1/groups/")
            assert response.status_code == HTTPStatus.UNAUTHORIZED
            assert response.json() == {
                "error": "This API key expired on 8 June 2026. "
                "Make a new one on the API keys page."
            }


def test_the_page_says_when_each_key_stops_working(client_for, worker):
    client = client_for(worker)
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)):
        page = client.post(reverse("accounts:api_keys"), {"name": "Phone"})
    assert b"stops working 90 days after you make it" in page.content
    assert b"8 Jun 2026" in page.content
