"""A person's group memberships, where the register needs them.

Whether someone may join a group (the policy engine's decision), ending a
membership, and taking a leaver out of their groups and back. Here, not in
``groups``, because leaving is the register's business: ``people`` uses
``groups`` only for its models and selectors, and ``groups.services`` builds
on this module (README, "Architecture").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from safecontact.accounts.models import User
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.groups.models import Group, GroupMember
from safecontact.groups.selectors import policy_platform
from safecontact.people import selectors as register
from safecontact.people.models import Person
from safeguarding import policy
from safeguarding.policy import Audience, PersonKind


def membership_decision(
    *, group: Group, person: Person, exception_reason: str = "", now: Any = None
) -> policy.Decision:
    """What the policy engine says about ``person`` joining ``group`` now."""
    org = group.organisation
    profile = register.worker_profile(person)
    facts = (
        register.worker_facts(person, org.vetting_renewal_years) if profile else None
    )
    candidate = policy.Candidate(
        str(person.code),
        PersonKind(person.kind),
        person.date_of_birth,
        facts,
        _joining_consent(person),
    )
    info = policy.GroupInfo(
        id=str(group.code),
        purposes=frozenset(),
        audience=Audience(group.audience),
        platform=policy_platform(group.platform),
        age_min=group.age_min,
        age_max=group.age_max,
    )
    request = policy.MembershipRequest(
        candidate,
        info,
        now or timezone.now(),
        org.timezone,
        exception_reason,
    )
    return policy.decide_membership(request)


def _joining_consent(person: Person) -> policy.Consent | None:
    """What a join is judged on from the newest consent of a child or adult
    at risk: whether it is in force and the platforms it covers (two queries,
    only for them)."""
    if person.kind not in (Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK):
        return None
    # The newest record as latest_consent reads it, without its prefetches.
    row = register.consent_history(person).prefetch_related(None).first()
    if row is None:
        return None
    codes = row.platforms.values_list("code", flat=True)
    return replace(row.facts(), platforms=frozenset(str(c) for c in codes))


def end_membership(
    actor: User | None, member: GroupMember, because: str, when: Any = None
) -> GroupMember:
    """End one membership (audited); the row stays, so the group's history does."""
    before = snapshot(member)

    member.removed_at = when or timezone.now()
    member.removed_because = because
    save_and_record(
        actor=actor,
        organisation=member.group.organisation,
        obj=member,
        before=before,
        update_fields=["removed_at", "removed_because"],
    )
    return member


def remove_leaver(*, actor: User | None, person: Person) -> list[GroupMember]:
    """Take someone who has left out of every group they are in.

    Called by ``people.services`` inside its transaction, by the Lead or by
    the ``apply_leavers`` job (``actor`` None); each removal is audited and
    marked so that reinstating them can restore it.
    """
    current = GroupMember.objects.filter(person=person, removed_at=None)
    now = timezone.now()
    return [
        end_membership(actor, m, GroupMember.Removal.LEFT, now)
        for m in current.select_related("group__organisation")
    ]


@dataclass(frozen=True)
class Restored:
    restored: list[GroupMember]
    refused: list[tuple[GroupMember, policy.Decision]]


def restore_leaver(*, actor: User, person: Person) -> Restored:
    """Put a reinstated worker back in the groups leaving took them out of.

    Each membership goes through the policy engine again: one it refuses
    today (say, their DBS check lapsed meanwhile) is reported, not restored.
    """
    removed = (
        GroupMember.objects.filter(
            person=person, removed_because=GroupMember.Removal.LEFT
        )
        .select_related("group__organisation", "group__platform")
        .order_by("-removed_at")
    )
    current = set(
        GroupMember.objects.filter(person=person, removed_at=None).values_list(
            "group_id", flat=True
        )
    )
    restored, refused = [], []
    for member in removed:
        if member.group_id in current:
            continue
        current.add(member.group_id)
        decision = membership_decision(group=member.group, person=person)
        if not decision.may_send:
            refused.append((member, decision))
            continue
        before = snapshot(member)
        member.removed_at, member.removed_because = None, ""
        save_and_record(
            actor=actor,
            organisation=member.group.organisation,
            obj=member,
            before=before,
            update_fields=["removed_at", "removed_because"],
        )
        restored.append(member)

    return Restored(restored, refused)
