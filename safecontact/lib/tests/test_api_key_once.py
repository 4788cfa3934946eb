"""An API call looks its key up once, even where the trustee-grant check
needs the caller before the API's own authentication runs."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safecontact.accounts.services import create_api_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_a_guarded_api_path_looks_the_key_up_once(client, org, worker, header):
    _, raw = create_api_key(actor=worker, name="test")
    value = f"Bearer {raw}" if header == "Authorization" else raw
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/people/", headers={header: value})
    assert response.status_code == HTTPStatus.OK
    lookups = [q for q in ctx.captured_queries if '"accounts_apikey"' in q["sql"]]
    assert len([q for q in lookups if q["sql"].startswith("SELECT")]) == 1


def test_a_trustee_with_a_key_is_still_refused_an_area_not_granted(
    client, org, trustee
):
    _, raw = create_api_key(actor=trustee, name="test")
    response = client.get("/api/v1/people/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == HTTPStatus.FORBIDDEN
