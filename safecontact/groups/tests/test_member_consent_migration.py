"""Migrating a database from before the state rows and the membership flag:
the state rows' migration runs first, then the flag's fills it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BEFORE = [("people", "0009_newest_check_and_consent_indexes")]
AFTER = [("groups", "0007_member_consent_fits")]


@pytest.fixture
def executor(transactional_db):
    """Migrated back to before people 0010 (and so groups 0007); forward to
    the newest migrations again afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_both_migrations_run_in_turn_and_fill_the_flag(executor):
    old = executor.loader.project_state(BEFORE).apps
    org = old.get_model("accounts", "Organisation").objects.create(name="St Old's")
    platform = old.get_model("groups", "Platform").objects.create(
        organisation=org, name="Email", kind="email"
    )
    purpose = old.get_model("groups", "Purpose").objects.create(
        organisation=org, name="Youth club"
    )
    group_model = old.get_model("groups", "Group")
    covered, other = (
        group_model.objects.create(organisation=org, name=name, platform=platform)
        for name in ("Covered", "Other")
    )
    covered.purposes.set([purpose])
    other.purposes.set([purpose])
    person = old.get_model("people", "Person")
    child = person.objects.create(organisation=org, first_name="A", kind="child")
    parent = person.objects.create(organisation=org, first_name="P", kind="parent")
    consent = old.get_model("people", "Consent").objects.create(
        organisation=org,
        subject=child,
        kind="parental",
        given_by=parent,
        evidence="form",
        evidence_date="2026-01-01",
    )
    consent.groups.set([covered])
    consent.purposes.set([purpose])
    member = old.get_model("groups", "GroupMember")
    yes = member.objects.create(group=covered, person=child)
    no = member.objects.create(group=other, person=child)

    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    flags = new.get_model("groups", "GroupMember").objects.in_bulk([yes.pk, no.pk])
    assert flags[yes.pk].consent_fits is True
    assert flags[no.pk].consent_fits is False
