"""Every message rule in the catalogue fires from the product: send_message
with a register set up through factories, one test per rule id.

(Purposes are another change's; their rules are tested there.)
"""

from __future__ import annotations

import datetime as dt

import time_machine

from safecontact.contact.models import Message
from safecontact.contact.tests.conftest import LONDON, make_family
from safecontact.contact.tests.smtp import send
from safecontact.groups.models import Group
from safecontact.groups.tests.factories import GroupMemberFactory
from safecontact.people.models import Consent, WorkerProfile
from safecontact.people.tests.factories import (
    AdultAtRiskFactory,
    ConsentFactory,
    ParentFactory,
    VettingCheckFactory,
    WorkerFactory,
    today,
)


def rules(message: Message) -> set[str]:
    return {str(r["rule_id"]) for r in message.reasons}


def blocked_by(message: Message, rule_id: str) -> bool:
    return message.status == Message.Status.BLOCKED and rule_id in rules(message)


def adult_with_consent(org, **consent):
    adult = AdultAtRiskFactory.create(organisation=org)
    fields = {
        "kind": Consent.Kind.ADULT,
        "given_by": None,
        "capacity": Consent.Capacity.HAS_CAPACITY,
        "purposes": ["youth group"],
        **consent,
    }
    ConsentFactory.create(subject=adult, **fields)
    return adult


# --- The sender --------------------------------------------------------------


def test_sender_cleared_children_fires_for_a_lapsed_dbs(org, worker, family):
    WorkerFactory.create(organisation=org, user=worker, vetting="expired")
    message = send(worker, [family.child])
    assert blocked_by(message, "sender.cleared_children")


def test_sender_cleared_adults_fires_for_a_childrens_workforce_check(org, worker):
    person = WorkerFactory.create(organisation=org, user=worker, vetting="missing")
    VettingCheckFactory.create(person=person, workforce="children")
    message = send(worker, [adult_with_consent(org)])
    assert blocked_by(message, "sender.cleared_adults")
    assert "sender.cleared_children" not in rules(message)


def test_email_from_the_workers_own_address_is_a_personal_account(
    org, worker, sender, family
):
    org.email_from = sender.email.upper()
    org.save()
    message = send(worker, [family.child])
    assert blocked_by(message, "channel.organisation_account")


def test_a_group_run_from_a_personal_number_is_blocked(worker, sender, group):
    group.account = Group.Account.PERSONAL
    group.save()
    message = send(worker, [], group=group)
    assert blocked_by(message, "channel.organisation_account")


# --- The group's platform ------------------------------------------------------


def test_a_group_on_a_platform_not_approved_is_blocked(worker, sender, group):
    group.platform.approved = False
    group.platform.save()
    message = send(worker, [], group=group)
    assert blocked_by(message, "platform.approved")
    reason = next(r for r in message.reasons if r["rule_id"] == "platform.approved")
    assert group.platform.name in reason["message"]


def test_children_under_the_groups_platform_age_are_blocked(worker, sender, group):
    group.platform.minimum_age = 16
    group.platform.save()
    message = send(worker, [], group=group)
    assert blocked_by(message, "platform.minimum_age")
    named = {r["person_name"] for r in message.reasons}
    assert len(named - {""}) == 3  # each child, by name


# --- Consent ---------------------------------------------------------------------


def test_expired_consent_blocks(org, worker, sender):
    family = make_family(org, expires_on=today() - dt.timedelta(days=1))
    assert blocked_by(send(worker, [family.child]), "consent.current")


def test_consent_that_does_not_cover_the_channel_blocks(org, worker, sender):
    family = make_family(org, channels=["in_app"])
    assert blocked_by(send(worker, [family.child]), "consent.channel")


def test_consent_that_does_not_name_the_sender_blocks(org, worker, sender):
    family = make_family(org, allowed_roles=["Treasurer"])
    assert blocked_by(send(worker, [family.child]), "consent.sender")


def test_consent_that_does_not_cover_the_group_blocks(org, worker, sender, group):
    outsider = make_family(org)  # consent for contact, not for this group
    GroupMemberFactory.create(group=group, person=outsider.child)
    message = send(worker, [], group=group)
    assert blocked_by(message, "consent.group")


def test_an_adults_capacity_decision_without_who_made_it_blocks(org, worker, sender):
    adult = adult_with_consent(
        org, capacity=Consent.Capacity.NEEDS_SUPPORT, best_interests_by=""
    )
    assert blocked_by(send(worker, [adult]), "adult.capacity")


# --- One-to-one ------------------------------------------------------------------


def test_one_to_one_with_an_adult_at_risk_copies_the_named_supervisor(
    org, worker, sender, lead
):
    supervisor = WorkerFactory.create(organisation=org)
    WorkerProfile.objects.filter(person=supervisor).update(named_supervisor=True)
    adult = adult_with_consent(org)
    message = send(worker, [adult])
    assert message.status == Message.Status.QUEUED, message.reasons
    assert "adult.one_to_one_transparent" in rules(message)
    kinds = {c["kind"]: c["person"] for c in message.decision["changes"]}
    assert kinds["copy_supervisor"] == str(supervisor.code)
    assert "notify_lead" in kinds
    copied = message.recipient_rows.get(person=supervisor)
    assert copied.added_by_rule == "adult.one_to_one_transparent"
    assert lead.inbox_items.filter(message=message).exists()


def test_a_supervisor_who_has_left_is_not_copied(org, worker, sender):
    gone = WorkerFactory.create(organisation=org, left=True)
    WorkerProfile.objects.filter(person=gone).update(named_supervisor=True)
    message = send(worker, [adult_with_consent(org)])
    assert "copy_supervisor" not in {c["kind"] for c in message.decision["changes"]}
    assert not message.recipient_rows.filter(person=gone).exists()


# --- Hours -----------------------------------------------------------------------


def test_outside_agreed_hours_a_message_waits(worker, sender, family):
    with time_machine.travel(dt.datetime(2026, 3, 10, 22, 15, tzinfo=LONDON)):
        message = send(worker, [family.child])
    assert message.status == Message.Status.DEFERRED
    assert "hours.agreed" in rules(message)


def test_no_agreed_hours_anywhere_blocks(org, worker, sender):
    family = make_family(org, hours=[])
    assert blocked_by(send(worker, [family.child]), "hours.none_agreed")


# --- Groups ------------------------------------------------------------------------


def test_group_email_hides_addresses(worker, sender, group):
    message = send(worker, [], group=group)
    assert message.status == Message.Status.QUEUED, message.reasons
    assert "email.bcc" in rules(message)


def test_an_unchecked_parent_in_a_childrens_group_blocks(org, worker, sender, group):
    GroupMemberFactory.create(
        group=group, person=ParentFactory.create(organisation=org), role="parent"
    )
    assert blocked_by(send(worker, [], group=group), "group.uncleared_adult")


def test_a_former_worker_still_in_the_group_blocks(org, worker, sender, group):
    GroupMemberFactory.create(
        group=group, person=WorkerFactory.create(organisation=org, left=True)
    )
    assert blocked_by(send(worker, [], group=group), "group.ex_worker")


# --- Content ---------------------------------------------------------------------


def test_worrying_content_is_held(worker, sender, family):
    body = "This is our secret, don't tell your mum. Add me on snapchat instead."
    message = send(worker, [family.child], body=body)
    assert message.status == Message.Status.HELD
    assert "content.hold" in rules(message)
