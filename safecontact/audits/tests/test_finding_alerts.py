"""A finding of a group audit becomes an alert in one click (issue 11:
"findings become attention-list items, alerts or a concern in one click")."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safecontact.accounts.models import User
from safecontact.accounts.services import create_api_key
from safecontact.assessments.selectors import group_facts
from safecontact.audits import services
from safecontact.audits.models import AuditFinding, GroupAudit
from safecontact.audits.tests.factories import finished_audit
from safecontact.audittrail.models import AuditEntry
from safecontact.contact.models import Alert
from safecontact.groups.models import Group
from safecontact.groups.tests.factories import GroupFactory
from safecontact.lib.dates import org_today

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]
LINES = [
    {"at": "14 Mar 2026 18:01", "sender": "Wendy", "text": "Lovely day", "hit": False},
    {"at": "14 Mar 2026 18:02", "sender": "Stranger", "text": "dm me", "hit": True},
    {
        "at": "14 Mar 2026 18:03",
        "sender": "Wendy",
        "text": "See you Sunday",
        "hit": False,
    },
]


def scanner_finding(group: Group) -> AuditFinding:
    audit = finished_audit(group)
    return AuditFinding.objects.create(
        audit=audit,
        kind=AuditFinding.Kind.SCANNER,
        severity=3,
        sender="Stranger",
        detail=json.dumps({"summary": "Asks to move to private chat.", "lines": LINES}),
    )


def test_a_finding_becomes_an_alert_in_one_click(
    lead: User, group: Group, client_for: Clients
) -> None:
    finding = scanner_finding(group)
    client = client_for(lead)
    response = client.post(reverse("audits:alert", args=[finding.code]))
    alert = Alert.objects.get()
    assert response["Location"] == alert.get_absolute_url()
    assert alert.kind == Alert.Kind.AUDIT and alert.message is None
    assert alert.audit_finding == finding and alert.severity == 3
    assert AuditEntry.objects.filter(object_code=str(alert.code)).exists()

    # The alert page and the alerts list show the finding with its lines.
    for url in (alert.get_absolute_url(), reverse("contact:alerts")):
        page = client.get(url).content.decode()
        assert "Alert from a group audit" in page
        assert "Asks to move to private chat." in page
        assert "Lovely day" in page and "dm me" in page and "See you Sunday" in page
        assert "Youth chat" in page
    # The audit's report says an alert was raised, instead of the button.
    report = client.get(finding.audit.get_absolute_url()).content.decode()
    assert "An alert was raised from this" in report

    again = client.post(reverse("audits:alert", args=[finding.code]))
    assert again.status_code == HTTPStatus.FOUND and Alert.objects.count() == 1


def test_the_alert_holds_nothing_from_the_chat(lead: User, group: Group) -> None:
    services.raise_alert(actor=lead, finding=scanner_finding(group))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM contact_alert")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert "Stranger" not in stored and "dm me" not in stored


def test_the_lead_handles_it_like_any_alert(
    deputy: User, group: Group, client_for: Clients
) -> None:
    alert = services.raise_alert(actor=deputy, finding=scanner_finding(group))
    client = client_for(deputy)
    response = client.post(
        alert.get_absolute_url(), {"status": "acknowledged", "note": "Removed them"}
    )
    assert response.status_code == HTTPStatus.FOUND
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.handled_by == deputy


def test_only_leads_and_deputies_see_it(
    lead: User,
    worker: User,
    trustee: User,
    other_org: Any,
    group: Group,
    client_for: Clients,
) -> None:
    alert = services.raise_alert(actor=lead, finding=scanner_finding(group))
    for user in (worker, trustee):
        page = client_for(user).get(alert.get_absolute_url())
        assert page.status_code == HTTPStatus.FORBIDDEN
    theirs = scanner_finding(GroupFactory.create(organisation=other_org))
    client = client_for(lead)
    refused = client.post(reverse("audits:alert", args=[theirs.code]))
    assert refused.status_code == HTTPStatus.NOT_FOUND
    with pytest.raises(PermissionDenied):
        services.raise_alert(actor=worker, finding=scanner_finding(group))


def test_the_api_lists_it_without_the_chat(
    lead: User, worker: User, group: Group, client: Client
) -> None:
    finding = scanner_finding(group)
    services.raise_alert(actor=lead, finding=finding)
    _, key = create_api_key(actor=lead, name="test")
    response = client.get(
        "/api/v1/contact/alerts", headers={"Authorization": f"Bearer {key}"}
    )
    (item,) = response.json()["items"]
    assert item["kind"] == "audit" and item["message"] is None
    assert item["audit_finding"] == str(finding.code) and item["findings"] == []
    assert "Stranger" not in response.content.decode()


def test_it_counts_towards_the_groups_risk_assessment(lead: User, group: Group) -> None:
    services.raise_alert(actor=lead, finding=scanner_finding(group))
    facts = group_facts(group.organisation, [group], org_today(group.organisation))
    assert facts[group.pk].alerts == 1


def test_it_goes_with_the_audit_on_its_retention_date(lead: User, group: Group) -> None:
    finding = scanner_finding(group)
    services.raise_alert(actor=lead, finding=finding)
    GroupAudit.objects.filter(pk=finding.audit_id).update(
        keep_until=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    call_command("purge_group_audits", "--apply", verbosity=0)
    assert not Alert.objects.exists() and not AuditFinding.objects.exists()


def _alerts_page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("contact:alerts"))
    assert response.status_code == HTTPStatus.OK
    return len(queries)


def test_the_alerts_list_costs_the_same_queries_for_more_audit_alerts(
    lead: User, group: Group, client_for: Clients
) -> None:
    client = client_for(lead)
    for _ in range(2):
        services.raise_alert(actor=lead, finding=scanner_finding(group))
    few = _alerts_page_queries(client)
    for _ in range(8):
        services.raise_alert(actor=lead, finding=scanner_finding(group))
    assert _alerts_page_queries(client) == few
