"""The gateway API: success, wrong method, anonymous, other organisation, bad input."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from safecontact.accounts.services import create_api_key
from safecontact.contact.models import Message
from safecontact.contact.tests.smtp import send
from safecontact.people.tests.factories import purpose_named

BASE = "/api/v1/contact"
SECRET = "This is our little secret, don't tell your mum. Add me on snapchat instead."


@pytest.fixture
def api(client):
    def call(user, method, path, **kw):
        headers = {}
        if user is not None:
            _, raw = create_api_key(actor=user, name="test")
            headers["Authorization"] = f"Bearer {raw}"
        fn = getattr(client, method)
        return fn(
            f"{BASE}{path}", content_type="application/json", headers=headers, **kw
        )

    return call


def _payload(family, **kw):
    data = {
        "recipients": [str(family.child.code)],
        "channel": "email",
        "purpose": str(purpose_named(family.child.organisation).code),
        "subject": "Thursday",
        "body": "See you on Thursday.",
    }
    data.update(kw)
    return data


def test_preview_returns_the_decision_and_stores_nothing(api, worker, sender, family):
    response = api(worker, "post", "/messages/preview", data=_payload(family))
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["decision"]["outcome"] == "allow_with_changes"
    assert any(
        r["rule_id"] == "child.no_one_to_one" for r in body["decision"]["reasons"]
    )
    assert not Message.objects.exists()


def test_send_returns_code_and_status(api, worker, sender, family):
    response = api(worker, "post", "/messages", data=_payload(family))
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["status"] == "queued"
    assert Message.objects.get().code.hex == body["code"].replace("-", "")


def test_a_blocked_send_is_stored_with_its_reasons(api, worker, sender, family):
    response = api(worker, "post", "/messages", data=_payload(family, purpose=None))
    body = response.json()
    assert body["status"] == "blocked"
    assert {"purpose.required"} <= {r["rule_id"] for r in body["decision"]["reasons"]}
    assert all(r["fix"] for r in body["decision"]["reasons"])


def test_get_and_list_messages(api, worker, sender, family):
    message = send(worker, [family.child])
    detail = api(worker, "get", f"/messages/{message.code}").json()
    assert {r["role"] for r in detail["recipients"]} == {"to", "cc"}
    assert detail["deliveries"][0]["status"] == "pending"
    listing = api(worker, "get", "/messages").json()
    assert listing["count"] == 1


def test_wrong_method_is_refused(api, worker, sender):
    response = api(worker, "put", "/messages/preview", data={})
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_anonymous_callers_get_401(api, family):
    response = api(None, "post", "/messages", data=_payload(family))
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "error" in response.json()


def test_another_organisations_message_is_404(
    api, worker, sender, family, other_org, make_user
):
    message = send(worker, [family.child])
    stranger = make_user("lead", other_org)
    assert (
        api(stranger, "get", f"/messages/{message.code}").status_code
        == HTTPStatus.NOT_FOUND
    )


def test_another_organisations_people_are_not_found(api, worker, sender, other_org):
    from safecontact.contact.tests.conftest import make_family

    stranger = make_family(other_org)
    response = api(worker, "post", "/messages", data=_payload(stranger))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert stranger.child.first_name not in response.content.decode()


def test_bad_input_is_422(api, worker, sender, family):
    response = api(worker, "post", "/messages", data=_payload(family, body=""))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    response = api(worker, "post", "/messages", data=_payload(family, channel="fax"))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_trustees_cannot_send(api, trustee, family):
    response = api(trustee, "post", "/messages", data=_payload(family))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_lead_lists_alerts_and_workers_cannot(api, lead, worker, sender, family):
    send(worker, [family.child], body=SECRET)
    alerts = api(lead, "get", "/alerts").json()
    assert alerts["count"] == 1
    assert alerts["items"][0]["findings"][0]["evidence"]
    assert api(worker, "get", "/alerts").status_code == HTTPStatus.FORBIDDEN
    assert api(lead, "get", "/alerts?status=bogus").status_code == 422
