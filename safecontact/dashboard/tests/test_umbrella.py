"""Umbrella bodies: invitation, membership, figures, thresholds and templates."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.audittrail.models import AuditEntry
from safecontact.contact.tests.smtp import SmtpServer
from safecontact.dashboard import services
from safecontact.dashboard.models import (
    ComplianceSnapshot,
    ThresholdNotice,
    UmbrellaMembership,
    UmbrellaTemplate,
)
from safecontact.dashboard.tests.builders import organisation_of


@pytest.fixture
def diocese(db: None) -> Organisation:
    return OrganisationFactory.create(name="Diocese of Examplebury")


@pytest.fixture
def diocese_lead(diocese: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("lead", diocese, email="dsl@diocese.example")


def _join(
    diocese_lead: User, lead: User, client_for: Callable[[User], Any]
) -> UmbrellaMembership:
    client_for(diocese_lead).post(
        reverse("dashboard:invite"), {"organisation": str(lead.organisation.code)}
    )
    link = UmbrellaMembership.objects.get()
    client_for(lead).post(reverse("dashboard:accept", args=[link.code]))
    link.refresh_from_db()
    return link


def test_a_member_joins_by_invitation_and_can_leave(
    org: Organisation,
    lead: User,
    diocese_lead: User,
    client_for: Callable[[User], Any],
) -> None:
    link = _join(diocese_lead, lead, client_for)
    assert link.is_active
    client_for(lead).post(reverse("dashboard:leave", args=[link.code]))
    link.refresh_from_db()
    assert not link.is_active
    actions = set(
        AuditEntry.objects.filter(model="dashboard.umbrellamembership").values_list(
            "action", flat=True
        )
    )
    assert actions == {"invite", "accept", "leave"}


def test_an_invitation_needs_the_members_lead(
    org: Organisation,
    lead: User,
    worker: User,
    diocese_lead: User,
    client_for: Callable[[User], Any],
) -> None:
    client_for(diocese_lead).post(
        reverse("dashboard:invite"), {"organisation": str(org.code)}
    )
    link = UmbrellaMembership.objects.get()
    response = client_for(worker).post(reverse("dashboard:accept", args=[link.code]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    # The umbrella's Lead cannot accept on the member's behalf either.
    response = client_for(diocese_lead).post(
        reverse("dashboard:accept", args=[link.code])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    link.refresh_from_db()
    assert link.accepted_at is None


def test_a_bad_invitation_reference_gets_a_clear_error(
    diocese_lead: User, client_for: Callable[[User], Any]
) -> None:
    client = client_for(diocese_lead)
    for value in ("not-a-uuid", "6f1f7f55-0000-4000-8000-000000000000"):
        response = client.post(
            reverse("dashboard:invite"), {"organisation": value}, follow=True
        )
        assert "No organisation has that reference" in response.content.decode()
    assert not UmbrellaMembership.objects.exists()


def test_the_umbrella_sees_members_figures_but_no_names(
    org: Organisation,
    lead: User,
    diocese_lead: User,
    client_for: Callable[[User], Any],
) -> None:
    built = organisation_of(org, 3)
    link = _join(diocese_lead, lead, client_for)
    call_command("take_snapshots", stdout=None)
    client = client_for(diocese_lead)
    overview = client.get(reverse("dashboard:umbrella")).content.decode()
    detail = client.get(reverse("dashboard:member", args=[link.code]))
    assert detail.status_code == HTTPStatus.OK
    assert escape(org.name) in overview and "67%" in overview  # 2 of 3 workers cleared
    for text in (overview, detail.content.decode()):
        for worker in built["workers"]:
            assert worker.first_name not in text


def test_a_former_member_is_no_longer_visible(
    org: Organisation,
    lead: User,
    diocese_lead: User,
    client_for: Callable[[User], Any],
) -> None:
    link = _join(diocese_lead, lead, client_for)
    services.end_membership(actor=lead, link=link)
    response = client_for(diocese_lead).get(
        reverse("dashboard:member", args=[link.code])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_umbrella_is_told_once_when_a_member_falls_below_its_threshold(
    org: Organisation,
    lead: User,
    diocese_lead: User,
    client_for: Callable[[User], Any],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    server = SmtpServer()
    server.start()
    settings.MAILERS = server.mailers()
    organisation_of(org, 3)  # 67% cleared
    _join(diocese_lead, lead, client_for)
    client_for(diocese_lead).post(
        reverse("dashboard:threshold"), {"figure": "cleared", "minimum": "80"}
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("take_snapshots", stdout=None)
    server.stop()
    [received] = server.mailbox.received
    assert received.rcpt_tos == ["dsl@diocese.example"]
    assert "67%" in str(received.message["Subject"])
    assert ThresholdNotice.objects.count() == 1
    assert ComplianceSnapshot.objects.filter(organisation=org).count() == 1


def test_setting_a_threshold_twice_keeps_one_and_audits_both(
    diocese: Organisation, diocese_lead: User
) -> None:
    first = services.set_threshold(actor=diocese_lead, figure="cleared", minimum=80)
    again = services.set_threshold(actor=diocese_lead, figure="cleared", minimum=70)
    assert again.pk == first.pk
    entries = AuditEntry.objects.filter(model="dashboard.umbrellathreshold")
    made, changed = entries.order_by("id")
    assert (made.action, made.before, made.organisation_id) == (
        "create",
        None,
        diocese.pk,
    )
    assert (made.after or {})["minimum"] == 80
    assert (changed.before or {})["minimum"] == 80
    assert (changed.action, (changed.after or {})["minimum"]) == ("update", 70)
    assert changed.actor_id == diocese_lead.pk


def test_a_threshold_must_be_a_percentage(
    diocese_lead: User, client_for: Callable[[User], Any]
) -> None:
    response = client_for(diocese_lead).post(
        reverse("dashboard:threshold"),
        {"figure": "cleared", "minimum": "140"},
        follow=True,
    )
    assert "percentage from 0 to 100" in response.content.decode()


def test_a_member_lead_starts_a_policy_from_an_umbrella_template(
    org: Organisation,
    lead: User,
    diocese_lead: User,
    client_for: Callable[[User], Any],
) -> None:
    _join(diocese_lead, lead, client_for)
    client_for(diocese_lead).post(
        reverse("dashboard:template_new"),
        {"kind": "policy", "title": "Diocesan online contact", "body": "# Words"},
    )
    template = UmbrellaTemplate.objects.get()
    client = client_for(lead)
    assert (
        "Diocesan online contact"
        in client.get(reverse("policies:new")).content.decode()
    )
    response = client.post(
        reverse("policies:new"), {"starter": f"umbrella-{template.code}"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert org.policies.get().title == "Diocesan online contact"
