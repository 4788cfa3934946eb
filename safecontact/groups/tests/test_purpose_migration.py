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
