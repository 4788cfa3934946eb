"""Each person's state row follows their records through every write path,
and the repair command finds and rebuilds a wrong one."""

import datetime as dt
import importlib
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from safecontact.audittrail.models import AuditEntry
from safecontact.groups.tests.factories import GroupFactory
from safecontact.lib.dates import org_today
from safecontact.people import services, state
from safecontact.people.models import Consent, PersonState
from safecontact.people.selectors import attention
from safecontact.people.tests.factories import (
    ChildFactory,
    ParentFactory,
    RelationshipFactory,
    WorkerFactory,
    purpose_named,
)
from safecontact.people.tests.random_register import build as random_register

pytestmark = pytest.mark.django_db


def _consent(lead: Any, child: Any, parent: Any, group: Any, day: dt.date) -> Consent:
    if not child.carers.filter(carer=parent).exists():
        RelationshipFactory.create(carer=parent, person=child)
    return services.record_consent(
        actor=lead,
        subject=child,
        evidence=Consent.Evidence.FORM,
        evidence_date=day,
        channels=["email"],
        purposes=[purpose_named(lead.organisation)],
        groups=[group],
        given_by=parent,
        expires_on=day + dt.timedelta(days=200),
    )


def test_the_services_keep_the_row_in_step_with_the_records(lead, org):
    day = org_today(org)
    group = GroupFactory.create(organisation=org)
    group.purposes.set([purpose_named(org)])
    child, parent = (
        ChildFactory.create(organisation=org),
        ParentFactory.create(organisation=org),
    )
    worker = WorkerFactory.create(
        organisation=org, vetting="missing", training="missing"
    )
    given = _consent(lead, child, parent, group, day)
    assert PersonState.objects.get(person=child).consent == given
    withdrawn = services.withdraw_consent(
        actor=lead, subject=child, evidence=Consent.Evidence.FORM, evidence_date=day
    )
    assert PersonState.objects.get(person=child).consent == withdrawn
    newer = services.record_vetting_check(
        actor=lead,
        person=worker,
        level="enhanced_barred",
        certificate_date=day - dt.timedelta(days=10),
    )
    # An older certificate recorded later is history, not the newest check.
    services.record_vetting_check(
        actor=lead,
        person=worker,
        level="enhanced_barred",
        certificate_date=day - dt.timedelta(days=900),
    )
    services.record_training(
        actor=lead,
        person=worker,
        level="foundation",
        completed_on=day - dt.timedelta(days=10),
        expires_on=day + dt.timedelta(days=300),
    )
    row = PersonState.objects.get(person=worker)
    assert row.vetting == newer
    assert row.training_until == day + dt.timedelta(days=300)
    assert state.stale(org) == []


def test_withdrawing_consent_through_the_service_moves_the_attention_list(lead, org):
    day = org_today(org)
    group = GroupFactory.create(organisation=org)
    group.purposes.set([purpose_named(org)])
    child, parent = (
        ChildFactory.create(organisation=org),
        ParentFactory.create(organisation=org),
    )
    group.members.create(person=child)
    _consent(lead, child, parent, group, day)
    assert attention.counts(org, day)["consent"] == 0
    services.withdraw_consent(
        actor=lead, subject=child, evidence=Consent.Evidence.FORM, evidence_date=day
    )
    assert attention.counts(org, day)["consent"] == 1


def test_the_demo_organisation_needs_no_repair():
    call_command("load_demo", stdout=StringIO())
    assert state.stale() == []


def test_rebuilding_from_the_records_matches_what_was_kept(org):
    # Histories written directly, then rebuilt: the row of every person
    # equals what the records say, checked one person at a time.
    random_register(org, org_today(org), seed=5, size=60)
    assert state.stale(org) == []
    for row in PersonState.objects.filter(person__organisation=org)[:20]:
        assert state.computed([row.person_id])[row.person_id] == (
            row.consent_id,
            row.vetting_id,
            row.training_until,
        )


def test_the_command_counts_wrong_rows_and_rebuilds_them_with_commit(lead, org):
    worker = WorkerFactory.create(organisation=org)
    PersonState.objects.filter(person=worker).update(vetting=None)
    out = StringIO()
    call_command("rebuild_person_states", stdout=out)
    assert "1 row(s) wrong" in out.getvalue()
    assert PersonState.objects.get(person=worker).vetting is None
    out = StringIO()
    call_command("rebuild_person_states", "--commit", stdout=out)
    assert "1 row(s) were wrong" in out.getvalue()
    assert PersonState.objects.get(person=worker).vetting is not None
    assert state.stale(org) == []
    entry = AuditEntry.objects.get(model="accounts.organisation", organisation=org)
    assert entry.actor_label == "system"
    assert entry.before == {"register_state_rows_wrong": 1}


def test_the_migration_fills_the_rows_of_records_made_before_it(org):
    migration = importlib.import_module(
        "safecontact.people.migrations.0010_person_state"
    )
    random_register(org, org_today(org), seed=9, size=40)
    PersonState.objects.all().delete()  # as before the migration
    migration.backfill(apps, None)
    assert PersonState.objects.exists()
    assert state.stale(org) == []
