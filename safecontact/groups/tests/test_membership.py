"""Adding someone to a group goes through the policy engine: on the service,
the API and the page, the refusal names the rule, says why and how to fix it."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from safecontact.audittrail.models import AuditEntry
from safecontact.groups import services
from safecontact.groups.models import GroupMember
from safecontact.groups.tests.factories import GroupFactory, PlatformFactory
from safecontact.people.tests.factories import (
    ChildFactory,
    ConsentFactory,
    ParentFactory,
    WorkerFactory,
    purpose_named,
    years_ago,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/groups"


@pytest.fixture
def youth(org):
    """A children's group for 11-14s on an email-like platform."""
    return GroupFactory.create(organisation=org, age_min=11, age_max=14)


@pytest.fixture
def whatsapp_group(org):
    platform = PlatformFactory.create(organisation=org, name="WhatsApp", minimum_age=16)
    return GroupFactory.create(
        organisation=org, platform=platform, age_min=None, age_max=None
    )


def refused(group, person, lead, **kw):
    with pytest.raises(services.MembershipRefused) as err:
        services.add_member(actor=lead, group=group, person=person, **kw)
    assert not GroupMember.objects.filter(group=group, person=person).exists()
    return err.value


def rule_ids(error):
    return {r.rule_id for r in error.decision.reasons}


# --- The service -----------------------------------------------------------------


def test_a_child_under_the_platforms_minimum_age_is_refused(lead, org, whatsapp_group):
    child = ChildFactory.create(organisation=org)  # about 12
    error = refused(whatsapp_group, child, lead)
    assert rule_ids(error) == {"platform.minimum_age"}
    assert "WhatsApp is for people aged 16+" in " ".join(error.messages)


def test_an_unchecked_adult_is_refused_in_a_childrens_group(lead, org, youth):
    error = refused(youth, ParentFactory.create(organisation=org), lead)
    assert rule_ids(error) == {"group.uncleared_adult"}
    assert "Complete their checks before they join" in " ".join(error.messages)


def test_a_worker_with_a_lapsed_dbs_is_refused_in_a_childrens_group(lead, org, youth):
    worker = WorkerFactory.create(organisation=org, vetting="expired")
    error = refused(youth, worker, lead)
    assert rule_ids(error) == {"group.uncleared_adult"}
    assert "DBS check was due for renewal" in " ".join(error.messages)


def test_a_former_worker_is_refused(lead, org, youth):
    error = refused(youth, WorkerFactory.create(organisation=org, left=True), lead)
    assert rule_ids(error) == {"group.ex_worker"}


def test_a_cleared_worker_joins_a_childrens_group(lead, org, youth):
    member = services.add_member(
        actor=lead, group=youth, person=WorkerFactory.create(organisation=org)
    )
    assert member.removed_at is None


def test_a_child_outside_the_age_range_is_held_for_the_leads_reason(lead, org, youth):
    child = ChildFactory.create(organisation=org, date_of_birth=years_ago(15))
    error = refused(youth, child, lead)
    assert rule_ids(error) == {"group.age_range"}
    assert error.decision.outcome == "hold"
    assert "give your reason for the exception" in " ".join(error.messages)
    member = services.add_member(
        actor=lead,
        group=youth,
        person=child,
        exception_reason="Helps her younger brother settle in",
    )
    entry = AuditEntry.objects.get(model="groups.groupmember", object_code=member.code)
    after = entry.after or {}
    assert after["exception_reason"] == "Helps her younger brother settle in"
    assert after["policy"][0]["rule_id"] == "group.age_range"


def test_a_reason_does_not_override_a_refusal(lead, org, whatsapp_group):
    error = refused(
        whatsapp_group,
        ChildFactory.create(organisation=org),
        lead,
        exception_reason="Parent says it is fine",
    )
    assert error.decision.outcome == "block"


def test_ages_are_judged_on_the_organisations_date(lead, org, youth):
    # Turns 15 on 11 March: at 23:30 UTC on 10 March it is already the 11th
    # in Auckland, the organisation's timezone.
    org.timezone = "Pacific/Auckland"
    org.save()
    child = ChildFactory.create(organisation=org, date_of_birth=dt.date(2011, 3, 11))
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)):
        error = refused(youth, child, lead)
    assert rule_ids(error) == {"group.age_range"}


def _consenting_to(child, *platforms):
    consent = ConsentFactory.create(subject=child)
    consent.platforms.set(platforms)
    return consent


def test_a_child_whose_consent_excludes_the_platform_is_refused(lead, org, youth):
    child = ChildFactory.create(organisation=org)
    signal = PlatformFactory.create(organisation=org, name="Signal")
    _consenting_to(child, signal)
    error = refused(youth, child, lead)
    assert rule_ids(error) == {"platform.consented"}
    text = " ".join(error.messages)
    assert f"does not cover contact on {youth.platform.name}" in text
    assert "ask the parent or adult to add this platform" in text
    # A reason is for an age exception; it never overrides a refusal.
    refused(youth, child, lead, exception_reason="The parent said yes on the phone")


def test_a_child_whose_consent_covers_the_platform_joins(lead, org, youth):
    child = ChildFactory.create(organisation=org)
    _consenting_to(child, youth.platform)
    member = services.add_member(actor=lead, group=youth, person=child)
    assert member.removed_at is None
    entry = AuditEntry.objects.filter(model="groups.groupmember").latest("id")
    assert entry.action == "create"


def test_a_consent_naming_no_platform_does_not_stop_a_join(lead, org, youth):
    child = ChildFactory.create(organisation=org)
    _consenting_to(child)  # recorded before parents chose platforms
    services.add_member(actor=lead, group=youth, person=child)
    assert GroupMember.objects.filter(group=youth, person=child).exists()


# --- The API -----------------------------------------------------------------------


def test_the_api_answers_a_refusal_with_409_and_the_reasons(
    client_for, lead, org, whatsapp_group
):
    child = ChildFactory.create(organisation=org)
    response = client_for(lead).post(
        f"{API}/{whatsapp_group.code}/members",
        {"person": str(child.code)},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.json()
    assert body["outcome"] == "block"
    [reason] = body["reasons"]
    assert reason["rule_id"] == "platform.minimum_age"
    assert reason["fix"] and "16+" in body["error"]


def test_the_api_refuses_a_platform_the_consent_excludes_platform_consented(
    client_for, lead, org, youth
):
    child = ChildFactory.create(organisation=org)
    _consenting_to(child, PlatformFactory.create(organisation=org, name="Signal"))
    response = client_for(lead).post(
        f"{API}/{youth.code}/members",
        {"person": str(child.code)},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CONFLICT
    [reason] = response.json()["reasons"]
    assert (reason["rule_id"], reason["effect"]) == ("platform.consented", "block")
    assert "add this platform to their consent" in reason["fix"]


def test_the_api_takes_the_leads_reason_for_an_age_exception(
    client_for, lead, org, youth
):
    child = ChildFactory.create(organisation=org, date_of_birth=years_ago(15))
    url = f"{API}/{youth.code}/members"
    client = client_for(lead)
    held = client.post(
        url, {"person": str(child.code)}, content_type="application/json"
    )
    assert held.status_code == HTTPStatus.CONFLICT
    assert held.json()["outcome"] == "hold"
    assert held.json()["reasons"][0]["rule_id"] == "group.age_range"
    added = client.post(
        url,
        {"person": str(child.code), "exception_reason": "Sibling group"},
        content_type="application/json",
    )
    assert added.status_code == HTTPStatus.CREATED


def test_the_api_refuses_an_unchecked_adult_and_a_former_worker(
    client_for, lead, org, youth
):
    client = client_for(lead)
    for person, rule in (
        (ParentFactory.create(organisation=org), "group.uncleared_adult"),
        (WorkerFactory.create(organisation=org, left=True), "group.ex_worker"),
    ):
        response = client.post(
            f"{API}/{youth.code}/members",
            {"person": str(person.code)},
            content_type="application/json",
        )
        assert response.status_code == HTTPStatus.CONFLICT
        assert [r["rule_id"] for r in response.json()["reasons"]] == [rule]


def test_a_group_can_be_recorded_as_run_from_a_personal_account(client_for, lead, org):
    platform = PlatformFactory.create(organisation=org)
    response = client_for(lead).post(
        f"{API}/",
        {
            "name": "Leaders' WhatsApp",
            "purposes": [str(purpose_named(org).code)],
            "audience": "children",
            "platform": str(platform.code),
            "account": "personal",
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["account"] == "personal"


def test_an_unknown_account_kind_is_a_clear_error(client_for, lead, org):
    platform = PlatformFactory.create(organisation=org)
    response = client_for(lead).post(
        f"{API}/",
        {
            "name": "G",
            "purposes": [str(purpose_named(org).code)],
            "audience": "children",
            "platform": str(platform.code),
            "account": "borrowed",
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "account" in response.json()["details"]


# --- The page ----------------------------------------------------------------------


def test_the_page_shows_why_and_how_to_fix_a_refusal(client_for, lead, org, youth):
    parent = ParentFactory.create(organisation=org)
    response = client_for(lead).post(
        reverse("groups:member_add", args=[youth.code]),
        {"person": parent.pk, "role": "parent"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = response.content.decode()
    assert "An adult without a DBS check cannot join a group for children." in text
    assert "Complete their checks before they join" in text
    assert "group.uncleared_adult" not in text  # no internal names on pages


def test_the_page_explains_a_platform_the_consent_excludes(
    client_for, lead, org, youth
):
    child = ChildFactory.create(organisation=org)
    _consenting_to(child, PlatformFactory.create(organisation=org, name="Signal"))
    response = client_for(lead).post(
        reverse("groups:member_add", args=[youth.code]),
        {"person": child.pk, "role": "member"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = response.content.decode()
    assert f"does not cover contact on {youth.platform.name}" in text
    assert "platform.consented" not in text  # no internal names on pages
    assert not GroupMember.objects.filter(group=youth, person=child).exists()


def test_the_page_adds_a_child_outside_the_range_with_a_reason(
    client_for, lead, org, youth
):
    child = ChildFactory.create(organisation=org, date_of_birth=years_ago(10))
    url = reverse("groups:member_add", args=[youth.code])
    client = client_for(lead)
    held = client.post(url, {"person": child.pk, "role": "member"})
    assert held.status_code == HTTPStatus.BAD_REQUEST
    assert "this group is for ages 11 to 14" in held.content.decode()
    added = client.post(
        url,
        {"person": child.pk, "role": "member", "exception_reason": "Twin of a member"},
    )
    assert added.status_code == HTTPStatus.FOUND
    assert GroupMember.objects.filter(group=youth, person=child).exists()
