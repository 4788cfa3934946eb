"""The data migration that turns free-text purposes into the list's rows."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from safecontact.groups.models import Purpose
from safecontact.groups.services import STARTING_PURPOSES

pytestmark = pytest.mark.django_db
migration = importlib.import_module(
    "safecontact.groups.migrations.0004_purposes_from_text"
)


def test_the_migration_seeds_the_same_starting_list_as_new_organisations():
    assert migration.STARTING_PURPOSES == STARTING_PURPOSES


def test_texts_match_a_purpose_ignoring_case_and_spaces(org):
    vocabulary = migration.Vocabulary(apps.get_model("groups", "Purpose"), org.pk)
    vocabulary.seed()
    trips = Purpose.objects.get(organisation=org, name="Trips and events")
    assert vocabulary.get("  trips AND   events ") == trips
    assert vocabulary.get("") is None
    assert vocabulary.get(" \n ") is None
    assert Purpose.objects.filter(organisation=org).count() == len(STARTING_PURPOSES)


def test_a_text_nothing_matches_becomes_a_new_purpose_once(org, other_org):
    vocabulary = migration.Vocabulary(apps.get_model("groups", "Purpose"), org.pk)
    first = vocabulary.get("youth group")
    assert first.name == "youth group"
    assert vocabulary.get("Youth Group") == first
    again = migration.Vocabulary(apps.get_model("groups", "Purpose"), org.pk)
    assert again.get("YOUTH GROUP") == first
    theirs = migration.Vocabulary(apps.get_model("groups", "Purpose"), other_org.pk)
    assert theirs.get("youth group") != first


def test_a_long_sentence_keeps_its_first_200_characters_as_the_name(org):
    vocabulary = migration.Vocabulary(apps.get_model("groups", "Purpose"), org.pk)
    sentence = "Friday youth group: notices, trips and follow-up. " * 10
    assert vocabulary.get(sentence).name == " ".join(sentence.split())[:200]


BEFORE = [
    ("groups", "0003_purposes"),
    ("people", "0003_consent_purposes"),
    ("contact", "0003_message_purpose"),
]
AFTER = [("groups", "0004_purposes_from_text")]


@pytest.fixture
def executor(transactional_db):
    """The database migrated back to just before the data migration; put
    forward to the newest migrations again afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_rows(old):
    org = old.get_model("accounts", "Organisation").objects.create(name="St Old's")
    platform = old.get_model("groups", "Platform").objects.create(
        organisation=org, name="Email", kind="email"
    )
    group = old.get_model("groups", "Group").objects.create(
        organisation=org,
        name="Youth Group",
        purpose="Friday youth group: notices and trips.",
        audience="young_people",
        platform=platform,
    )
    person = old.get_model("people", "Person")
    child = person.objects.create(organisation=org, first_name="A", kind="child")
    parent = person.objects.create(organisation=org, first_name="P", kind="parent")
    consent = old.get_model("people", "Consent").objects.create(
        organisation=org,
        subject=child,
        kind="parental",
        given_by=parent,
        purpose_text=["youth group", "TRIPS AND EVENTS ", ""],
        evidence="form",
        evidence_date="2026-01-01",
    )
    message = old.get_model("contact", "Message")
    for text in ("Youth Group", "youth group", ""):
        message.objects.create(organisation=org, purpose_text=text, body="Hi")
    return org, group, consent


def test_the_migration_turns_free_text_into_purposes(executor):
    old = executor.loader.project_state(BEFORE).apps
    org, group, consent = _old_rows(old)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    purposes = new.get_model("groups", "Purpose").objects.filter(organisation=org.pk)
    names = sorted(purposes.values_list("name", flat=True))
    assert names == sorted(
        [*STARTING_PURPOSES, "Friday youth group: notices and trips.", "youth group"]
    )
    group = new.get_model("groups", "Group").objects.get(pk=group.pk)
    assert group.description == "Friday youth group: notices and trips."
    assert [p.name for p in group.purposes.all()] == [group.description]
    consent = new.get_model("people", "Consent").objects.get(pk=consent.pk)
    assert sorted(p.name for p in consent.purposes.all()) == [
        "Trips and events",
        "youth group",
    ]
    messages = new.get_model("contact", "Message").objects.filter(organisation=org.pk)
    assert sorted((m.purpose.name if m.purpose else "") for m in messages) == [
        "",
        "youth group",
        "youth group",
    ]
