"""Entries written before case_code existed are tagged, so they stay hidden."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("audittrail", "0001_initial"), ("concerns", "0001_initial")]
AFTER = [("audittrail", "0002_case_code")]


@pytest.mark.django_db(transaction=True)
def test_old_case_entries_are_tagged_with_their_case():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    org = apps.get_model("accounts", "Organisation").objects.create(name="Old")
    case = apps.get_model("concerns", "Case").objects.create(
        organisation=org, reference="SC-OLD1-CASE", source="public", form="standard"
    )
    entries = apps.get_model("audittrail", "AuditEntry").objects

    def old_entry(model: str, **kw: object) -> int:
        row = entries.create(
            organisation=org,
            actor_label="Someone",
            action="create",
            model=model,
            object_code=kw.pop("object_code", "x"),
            object_label="label",
            **kw,
        )
        return row.pk

    ids = {
        "case": old_entry("concerns.case", object_code=str(case.code)),
        "share": old_entry("concerns.caseshare", after={"case_id": case.pk}),
        "gone": old_entry("concerns.referral", before={"case_id": 987654}),
        "routing": old_entry("concerns.routingsettings"),
        "person": old_entry("people.person"),
    }
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    codes = dict(
        apps.get_model("audittrail", "AuditEntry")
        .objects.filter(pk__in=ids.values())
        .values_list("pk", "case_code")
    )
    assert codes[ids["case"]] == case.code
    assert codes[ids["share"]] == case.code
    assert codes[ids["gone"]] == uuid.UUID(int=0)
    assert codes[ids["routing"]] is None
    assert codes[ids["person"]] is None
    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
