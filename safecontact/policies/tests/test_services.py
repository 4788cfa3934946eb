"""Writing, publishing and acknowledging policies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safecontact.audittrail.models import AuditEntry
from safecontact.people.tests.factories import WorkerFactory
from safecontact.policies import selectors, services
from safecontact.policies.models import Acknowledgement, Policy
from safecontact.policies.tests.factories import in_force, published_policy

pytestmark = pytest.mark.django_db


def test_publishing_sets_the_review_date_and_asks_workers_to_read_it(lead, worker):
    person = WorkerFactory.create(organisation=lead.organisation, user=worker)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
        policy = published_policy(lead, "contact")
    policy.refresh_from_db()
    assert policy.review_due == dt.date(2027, 3, 10)
    assert [d.policy for d in selectors.outstanding_for(person)] == [policy]
    actions = set(
        AuditEntry.objects.filter(organisation=lead.organisation).values_list(
            "model", "action"
        )
    )
    assert ("policies.policyversion", "update") in actions


def test_acknowledging_clears_it_and_a_new_version_asks_again(lead, worker):
    person = WorkerFactory.create(organisation=lead.organisation, user=worker)
    policy = published_policy(lead)
    version = in_force(policy)
    services.acknowledge(actor=worker, version=version)
    services.acknowledge(actor=worker, version=version)  # twice is once
    assert Acknowledgement.objects.filter(person=person).count() == 1
    assert selectors.outstanding_for(person) == []

    services.save_draft(actor=lead, policy=policy, body="# New words", change_note="v2")
    assert selectors.outstanding_for(person) == []  # a draft asks nothing
    services.publish_draft(actor=lead, policy=policy)
    due = selectors.outstanding_for(person)
    assert [(d.policy, d.version.number) for d in due] == [(policy, 2)]


def test_an_old_version_cannot_be_acknowledged(lead, worker):
    WorkerFactory.create(organisation=lead.organisation, user=worker)
    policy = published_policy(lead)
    old = in_force(policy)
    services.save_draft(actor=lead, policy=policy, body="# Version two")
    services.publish_draft(actor=lead, policy=policy)
    with pytest.raises(ValidationError, match="not the version in force"):
        services.acknowledge(actor=worker, version=old)


def test_only_the_lead_writes_policies(lead, worker, trustee):
    for actor in (worker, trustee):
        with pytest.raises(PermissionDenied):
            services.create_policy(
                actor=actor,
                organisation=lead.organisation,
                title="Mine",
                area=Policy.Area.OTHER,
                body="text",
            )


def test_only_a_code_of_conduct_can_stop_contact(lead):
    with pytest.raises(ValidationError) as caught:
        published_policy(lead, "data", blocks_contact=True)
    assert "Only a code of conduct" in str(caught.value)
    assert not Policy.objects.exists()


def test_an_empty_or_huge_text_is_refused_and_nothing_is_saved(lead):
    for body in ("   ", "x" * 200_001):
        with pytest.raises(ValidationError):
            services.create_policy(
                actor=lead,
                organisation=lead.organisation,
                title="Empty",
                area=Policy.Area.OTHER,
                body=body,
            )
    assert not Policy.objects.exists()


def test_publishing_without_a_draft_is_refused(lead):
    policy = published_policy(lead)
    with pytest.raises(ValidationError, match="no draft"):
        services.publish_draft(actor=lead, policy=policy)


def test_a_paper_copy_can_be_recorded_but_not_in_the_future(lead):
    person = WorkerFactory.create(organisation=lead.organisation)
    policy = published_policy(lead)
    version = in_force(policy)
    with pytest.raises(ValidationError):
        services.record_paper_acknowledgement(
            actor=lead,
            version=version,
            person=person,
            on=timezone.localdate() + dt.timedelta(days=2),
        )
    ack = services.record_paper_acknowledgement(
        actor=lead, version=version, person=person, on=timezone.localdate()
    )
    assert ack.how == Acknowledgement.How.PAPER


def test_policies_for_children_are_not_asked_of_adult_workers(lead):
    adults_only = WorkerFactory.create(
        organisation=lead.organisation, works_with="adults"
    )
    published_policy(lead, "contact", audience=Policy.Audience.CHILDREN)
    assert selectors.outstanding_for(adults_only) == []


def test_a_login_without_a_register_record_cannot_acknowledge(lead, worker):
    policy = published_policy(lead)
    with pytest.raises(PermissionDenied, match="not linked"):
        services.acknowledge(actor=worker, version=in_force(policy))
