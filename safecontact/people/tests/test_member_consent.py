"""Each membership's ``consent_fits`` flag follows every write that can change
it: consent recorded or withdrawn, joining and leaving, a group's purposes
changed, purposes renamed or retired. Checked against a recomputation from
the histories after random operations through the services, and against the
attention list's deciders."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import random
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command

from safecontact.groups import services as groups
from safecontact.groups.models import Group, GroupMember, Purpose
from safecontact.groups.tests.factories import GroupFactory
from safecontact.lib.dates import org_today
from safecontact.people import services, state
from safecontact.people.models import Consent, Person
from safecontact.people.selectors import attention
from safecontact.people.tests import random_register
from safecontact.people.tests.factories import (
    ChildFactory,
    ParentFactory,
    RelationshipFactory,
    purpose_named,
)
from safecontact.people.tests.test_attention_sql import _by_deciders, _key
from safeguarding.policy import consent_fits_group

pytestmark = pytest.mark.django_db


def test_the_policy_core_decides_whether_a_consent_fits_a_group():
    assert consent_fits_group(set(), {1}, "g", {1, 2})  # names no group: all
    assert consent_fits_group({"g"}, {2}, "g", {1, 2})
    assert not consent_fits_group({"h"}, {1}, "g", {1})  # another group
    assert not consent_fits_group(set(), {3}, "g", {1, 2})  # no shared purpose
    assert not consent_fits_group(set(), {1}, "g", set())  # a group with none


def _give(lead: Any, child: Person, groups_: list[Group], purposes: list[Any]) -> Any:
    parent = ParentFactory.create(organisation=child.organisation)
    RelationshipFactory.create(carer=parent, person=child)
    day = org_today(child.organisation)
    return services.record_consent(
        actor=lead,
        subject=child,
        evidence=Consent.Evidence.FORM,
        evidence_date=day,
        channels=["email"],
        purposes=purposes,
        groups=groups_,
        given_by=parent,
        expires_on=day + dt.timedelta(days=200),
    )


def _fits(member: GroupMember) -> bool:
    return GroupMember.objects.get(pk=member.pk).consent_fits


def test_each_write_path_moves_the_flag_and_the_consent_category(lead, org):
    # Rule: the attention list's "consent" category (a child in a group
    # without consent that covers it).
    day = org_today(org)
    youth, sport = purpose_named(org), purpose_named(org, "Sport")
    group = GroupFactory.create(organisation=org, purposes=[youth])
    other = GroupFactory.create(organisation=org, purposes=[youth])
    child = ChildFactory.create(organisation=org)
    member = groups.record_existing_member(actor=lead, group=group, person=child)
    assert not member.consent_fits
    assert attention.counts(org, day)["consent"] == 1

    _give(lead, child, [group], [youth])  # recording consent
    assert _fits(member)
    assert attention.counts(org, day)["consent"] == 0

    # Joining another group the consent does not name.
    second = groups.record_existing_member(actor=lead, group=other, person=child)
    assert not second.consent_fits and not _fits(second)
    assert attention.counts(org, day)["consent"] == 1
    groups.remove_member(actor=lead, member=second)  # leaving it
    assert attention.counts(org, day)["consent"] == 0

    # The group's purposes change to one the consent does not allow, and back.
    groups.update_group(actor=lead, group=group, purposes=[sport])
    assert not _fits(member)
    assert attention.counts(org, day)["consent"] == 1
    groups.update_group(actor=lead, group=group, purposes=[sport, youth])
    assert _fits(member)

    # Renaming or retiring a purpose changes no link: the flag stays.
    groups.rename_purpose(actor=lead, purpose=youth, name="Youth club")
    groups.retire_purpose(actor=lead, purpose=sport)
    assert _fits(member)

    # Withdrawing: the newest consent names no purpose and no group, so it
    # fits nothing; the category moves by the flag and by the status alike.
    services.withdraw_consent(
        actor=lead, subject=child, evidence=Consent.Evidence.FORM, evidence_date=day
    )
    assert not _fits(member)
    assert attention.counts(org, day)["consent"] == 1
    assert state.stale(org) == []


def test_an_expired_consent_is_judged_on_the_day_not_stored(lead, org):
    day = org_today(org)
    youth = purpose_named(org)
    group = GroupFactory.create(organisation=org, purposes=[youth])
    child = ChildFactory.create(organisation=org)
    member = groups.record_existing_member(actor=lead, group=group, person=child)
    _give(lead, child, [group], [youth])  # expires in 200 days
    assert _fits(member)
    assert attention.counts(org, day)["consent"] == 0
    later = day + dt.timedelta(days=201)
    assert attention.counts(org, later)["consent"] == 1


def _random_operation(rng: random.Random, lead: Any, org: Any, day: dt.date) -> str:
    """One operation through the services; returns its name."""
    live = list(Group.objects.filter(organisation=org))
    purposes = list(Purpose.objects.filter(organisation=org, retired_at=None))
    people = list(
        Person.objects.filter(
            organisation=org, kind__in=[Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK]
        )
    )
    children = [p for p in people if p.kind == Person.Kind.CHILD]
    what = rng.choice(
        ["consent", "withdraw", "join", "leave", "purposes", "rename", "retire"]
    )
    if what == "consent" and children and purposes:
        _give(
            lead,
            rng.choice(children),
            rng.sample(live, rng.choice([0, 1, 2])),
            rng.sample(purposes, rng.randint(1, min(2, len(purposes)))),
        )
    elif what == "withdraw":
        services.withdraw_consent(
            actor=lead,
            subject=rng.choice(people),
            evidence=Consent.Evidence.FORM,
            evidence_date=day,
        )
    elif what == "join":
        group, person = rng.choice(live), rng.choice(people)
        if not group.members.filter(person=person, removed_at=None).exists():
            groups.record_existing_member(actor=lead, group=group, person=person)
    elif what == "leave":
        members = GroupMember.objects.filter(group__organisation=org, removed_at=None)
        if current := list(members.order_by("pk")):
            groups.remove_member(actor=lead, member=rng.choice(current))
    elif what == "purposes" and purposes:
        chosen = rng.sample(purposes, rng.randint(1, min(2, len(purposes))))
        groups.update_group(actor=lead, group=rng.choice(live), purposes=chosen)
    elif what == "rename":
        purpose = rng.choice(list(Purpose.objects.filter(organisation=org)))
        groups.rename_purpose(actor=lead, purpose=purpose, name=f"P {rng.random()}")
    elif what == "retire" and len(purposes) > 1:
        groups.retire_purpose(actor=lead, purpose=rng.choice(purposes))
    return what


@pytest.mark.parametrize("seed", [31, 32])
def test_random_operations_keep_every_flag_equal_to_a_recomputation(lead, org, seed):
    day = org_today(org)
    random_register.build(org, day, seed, size=60)
    rng = random.Random(seed)
    done = set()
    for _ in range(40):
        # An operation the services refuse (withdrawing what is not in
        # force, say) changes nothing, which is checked too.
        with contextlib.suppress(ValidationError):
            done.add(_random_operation(rng, lead, org, day))
        # Recomputed from the histories: nothing differs from what was kept.
        assert state.stale(org) == []
    assert len(done) >= 6  # most kinds of operation went through
    expected = _by_deciders(org, day)
    found = attention.attention_items(org, day)
    assert sorted(map(_key, found)) == sorted(map(_key, expected))
    assert state.rebuild(org) == 0


def test_the_command_finds_a_wrong_flag_and_rebuilds_it(lead, org):
    youth = purpose_named(org)
    group = GroupFactory.create(organisation=org, purposes=[youth])
    child = ChildFactory.create(organisation=org)
    member = groups.record_existing_member(actor=lead, group=group, person=child)
    _give(lead, child, [group], [youth])
    GroupMember.objects.filter(pk=member.pk).update(consent_fits=False)
    assert state.stale(org) == [child.pk]
    out = StringIO()
    call_command("rebuild_person_states", "--commit", stdout=out)
    assert "1 row(s) were wrong" in out.getvalue()
    assert _fits(member)


def test_the_migration_fills_the_flags_of_memberships_made_before_it(org):
    migration = importlib.import_module(
        "safecontact.groups.migrations.0007_member_consent_fits"
    )
    random_register.build(org, org_today(org), 41, size=60)
    assert GroupMember.objects.filter(consent_fits=True).exists()
    GroupMember.objects.update(consent_fits=False)  # the field's default
    migration.backfill(apps, None)
    assert GroupMember.objects.filter(consent_fits=True).exists()
    assert state.stale(org) == []


def test_the_command_finds_wrong_consent_days_and_rebuilds_them(lead, org):
    # Rule: the attention list's "consent" category reads the days kept on
    # the membership; a wrong day is found and put right like a wrong flag.
    day = org_today(org)
    youth = purpose_named(org)
    group = GroupFactory.create(organisation=org, purposes=[youth])
    child = ChildFactory.create(organisation=org)
    member = groups.record_existing_member(actor=lead, group=group, person=child)
    consent = _give(lead, child, [group], [youth])
    kept = GroupMember.objects.get(pk=member.pk)
    assert (kept.consent_from, kept.consent_until) == (day, consent.expires_on)
    GroupMember.objects.filter(pk=member.pk).update(consent_until=day)
    assert state.stale(org) == [child.pk]
    assert attention.counts(org, day + dt.timedelta(days=1))["consent"] == 1
    call_command("rebuild_person_states", "--commit", stdout=StringIO())
    assert state.stale(org) == []
    assert attention.counts(org, day + dt.timedelta(days=1))["consent"] == 0


def test_a_withdrawal_or_a_consent_that_does_not_fit_keeps_no_days(lead, org):
    day = org_today(org)
    youth, sport = purpose_named(org), purpose_named(org, "Sport")
    group = GroupFactory.create(organisation=org, purposes=[youth])
    child = ChildFactory.create(organisation=org)
    member = groups.record_existing_member(actor=lead, group=group, person=child)
    _give(lead, child, [group], [sport])  # allows none of the group's purposes
    kept = GroupMember.objects.get(pk=member.pk)
    assert (kept.consent_fits, kept.consent_from) == (False, None)
    _give(lead, child, [group], [youth])
    assert GroupMember.objects.get(pk=member.pk).consent_from == day
    services.withdraw_consent(
        actor=lead, subject=child, evidence=Consent.Evidence.FORM, evidence_date=day
    )
    kept = GroupMember.objects.get(pk=member.pk)
    assert (kept.consent_from, kept.consent_until) == (None, None)


def test_the_migration_fills_the_consent_days_of_memberships_made_before_it(org):
    migration = importlib.import_module(
        "safecontact.groups.migrations.0009_member_consent_window"
    )
    random_register.build(org, org_today(org), 42, size=60)
    assert GroupMember.objects.filter(consent_from__isnull=False).exists()
    GroupMember.objects.update(consent_from=None, consent_until=None)
    assert state.stale(org) != []
    migration.backfill(apps, None)
    assert state.stale(org) == []
