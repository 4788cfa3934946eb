"""Trustees see the figures and the report; the register, the contact log and
the audit trail only while the Lead grants it."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.urls import reverse

from safecontact.accounts.models import User
from safecontact.audittrail.models import AuditEntry
from safecontact.dashboard.models import TrusteeGrant
from safecontact.people.tests.factories import ChildFactory

AREAS = {
    "register": ["people:list", "people:attention", "groups:list"],
    "contact_log": ["ledger:list"],
    "audit_trail": ["people:audit"],
}
API = {"register": "/api/v1/people/", "contact_log": "/api/v1/ledger/entries"}


@pytest.mark.parametrize("area", list(AREAS))
def test_a_trustee_is_refused_an_area_until_the_lead_grants_it(
    org: Any, lead: User, trustee: User, client_for: Callable[[User], Any], area: str
) -> None:
    client = client_for(trustee)
    for name in AREAS[area]:
        assert client.get(reverse(name)).status_code == HTTPStatus.FORBIDDEN
    client_for(lead).post(
        reverse("dashboard:grants"),
        {"trustee": str(trustee.code), "area": area, "action": "grant"},
    )
    for name in AREAS[area]:
        assert client.get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("area", list(API))
def test_a_trustee_is_refused_the_api_of_an_area_not_granted(
    org: Any, trustee: User, client_for: Callable[[User], Any], area: str
) -> None:
    response = client_for(trustee).get(API[area])
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "error" in response.json()


def test_granting_and_revoking_are_in_the_audit_trail(
    org: Any, lead: User, trustee: User, client_for: Callable[[User], Any]
) -> None:
    client = client_for(lead)
    data = {"trustee": str(trustee.code), "area": "register"}
    client.post(reverse("dashboard:grants"), {**data, "action": "grant"})
    client.post(reverse("dashboard:grants"), {**data, "action": "revoke"})
    actions = list(
        AuditEntry.objects.filter(model="dashboard.trusteegrant").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["grant", "revoke"]
    assert not TrusteeGrant.objects.filter(revoked_at=None).exists()
    assert client_for(trustee).get(reverse("people:list")).status_code == 403


def test_a_trustee_sees_the_report_and_compliance_but_no_names(
    org: Any, trustee: User, client_for: Callable[[User], Any]
) -> None:
    ChildFactory.create(organisation=org, first_name="Quillon")
    client = client_for(trustee)
    report = client.get(reverse("dashboard:report"))
    dashboard = client.get(reverse("dashboard:dashboard"))
    assert report.status_code == dashboard.status_code == HTTPStatus.OK
    for page in (report, dashboard):
        assert "Quillon" not in page.content.decode()
    assert "Messages by week" not in dashboard.content.decode()
    assert reverse("people:list") + "?status=cleared" not in dashboard.content.decode()


def test_only_the_lead_manages_grants(
    org: Any, trustee: User, worker: User, client_for: Callable[[User], Any]
) -> None:
    for user in (trustee, worker):
        assert client_for(user).get(reverse("dashboard:grants")).status_code == 403


def test_a_grant_names_a_trustee_of_this_organisation(
    org: Any,
    lead: User,
    other_org: Any,
    make_user: Callable[..., User],
    client_for: Callable[[User], Any],
) -> None:
    stranger = make_user("trustee", other_org)
    response = client_for(lead).post(
        reverse("dashboard:grants"),
        {"trustee": str(stranger.code), "area": "register", "action": "grant"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not TrusteeGrant.objects.exists()
    bad = client_for(lead).post(
        reverse("dashboard:grants"), {"trustee": "nonsense", "area": "x"}
    )
    assert bad.status_code == HTTPStatus.FOUND
