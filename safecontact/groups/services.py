"""Every write to platforms, groups and memberships goes through here."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.families.services import send_conduct_agreement
from safecontact.groups.models import Group, GroupMember, Platform, Purpose
from safecontact.lib.access import require_lead
from safecontact.lib.hours import validate_hours
from safecontact.people import state as register_state
from safecontact.people.memberships import end_membership, membership_decision
from safecontact.people.models import Person
from safeguarding import policy
from safeguarding.policy import Outcome

GROUP_FIELDS = frozenset(
    {
        "name",
        "purposes",
        "description",
        "audience",
        "age_min",
        "age_max",
        "platform",
        "account",
        "hours",
        "conduct_agreement",
    }
)
PLATFORM_FIELDS = frozenset(
    {
        "minimum_age",
        "minimum_age_source",
        "hides_phone_numbers",
        "admins_can_restrict_posting",
        "history_exportable",
        "approved",
    }
)


@dataclass(frozen=True)
class PlatformSeed:
    name: str
    kind: str
    minimum_age: int
    source: str
    hides_phone_numbers: bool
    admins_can_restrict_posting: bool
    history_exportable: bool
    approved: bool = False


K = Platform.Kind
# Ages are from each service's terms as we understood them in 2026; the Lead can
# change any of them, and the source says where to check.
CATALOGUE = (
    PlatformSeed(
        "SafeContact inbox",
        K.IN_APP,
        0,
        "Part of SafeContact: every message is logged and visible to the Lead.",
        True,
        True,
        True,
        approved=True,
    ),
    PlatformSeed(
        "Email",
        K.EMAIL,
        0,
        "No platform age limit: your organisation's own email service. "
        "Send group emails with Bcc so addresses stay private.",
        True,
        False,
        True,
        approved=True,
    ),
    PlatformSeed(
        "WhatsApp",
        K.MESSAGING,
        16,
        "WhatsApp Terms of Service. The UK/EU minimum was 16 until 2024 and is "
        "now 13; 16 is kept as the safer default. Ordinary groups show every "
        "member's phone number.",
        False,
        True,
        True,
    ),
    PlatformSeed(
        "WhatsApp Community",
        K.MESSAGING,
        16,
        "WhatsApp Terms of Service (as WhatsApp). Communities hide members' "
        "numbers from each other and let admins restrict who can post.",
        True,
        True,
        True,
    ),
    PlatformSeed(
        "Facebook Messenger",
        K.MESSAGING,
        13,
        "Meta Terms of Service: 13 and over.",
        True,
        False,
        True,
    ),
    PlatformSeed(
        "Instagram",
        K.SOCIAL,
        13,
        "Instagram Terms of Use: 13 and over; under-16s get a Teen Account.",
        True,
        False,
        True,
    ),
    PlatformSeed(
        "Snapchat",
        K.SOCIAL,
        13,
        "Snap Terms of Service: 13 and over. Messages disappear by default.",
        True,
        False,
        False,
    ),
    PlatformSeed(
        "TikTok",
        K.SOCIAL,
        13,
        "TikTok Terms of Service: 13 and over.",
        True,
        False,
        False,
    ),
    PlatformSeed(
        "Discord",
        K.SOCIAL,
        13,
        "Discord Terms of Service: 13 and over (older in some countries).",
        True,
        True,
        False,
    ),
    PlatformSeed(
        "YouTube",
        K.SOCIAL,
        13,
        "YouTube Terms of Service: 13 and over for an own account; younger "
        "children only through a parent-supervised account.",
        True,
        True,
        False,
    ),
    PlatformSeed(
        "Microsoft Teams",
        K.VIDEO,
        0,
        "Accounts issued by your organisation: you set who may have one. "
        "Personal Microsoft accounts for children need a parent's consent.",
        True,
        True,
        True,
    ),
    PlatformSeed(
        "Zoom",
        K.VIDEO,
        16,
        "Zoom Terms of Service: 16 and over to hold an account; younger people "
        "may join meetings hosted by an account holder.",
        True,
        True,
        True,
    ),
    PlatformSeed(
        "Google Meet",
        K.VIDEO,
        13,
        "Google account age requirement in the UK: 13 and over; younger children "
        "only through Family Link.",
        True,
        True,
        False,
    ),
    PlatformSeed(
        "Signal",
        K.MESSAGING,
        13,
        "Signal Terms of Service: 13 and over. Phone numbers are hidden by "
        "default; there is no export of message history.",
        True,
        True,
        False,
    ),
)


def _check_fields(given: Any, allowed: frozenset[str]) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise TypeError(f"Cannot change: {', '.join(sorted(unknown))}")


# --- Platforms -------------------------------------------------------------------


@transaction.atomic
def seed_platforms(
    *, organisation: Organisation, actor: User | None = None
) -> list[Platform]:
    """Add the common platforms the organisation does not have yet.

    Existing rows are left alone, so running it again changes nothing and
    never undoes the Lead's approvals or corrections.
    """
    if actor is not None:
        require_lead(actor, organisation)
    existing = set(
        Platform.objects.filter(organisation=organisation).values_list(
            "name", flat=True
        )
    )
    added = []
    for seed in CATALOGUE:
        if seed.name in existing:
            continue
        platform = Platform.objects.create(
            organisation=organisation,
            name=seed.name,
            kind=seed.kind,
            minimum_age=seed.minimum_age,
            minimum_age_source=seed.source,
            hides_phone_numbers=seed.hides_phone_numbers,
            admins_can_restrict_posting=seed.admins_can_restrict_posting,
            history_exportable=seed.history_exportable,
            approved=seed.approved,
        )
        save_and_record(
            actor=actor, organisation=organisation, obj=platform, before=None
        )
        added.append(platform)
    return added


@transaction.atomic
def update_platform(*, actor: User, platform: Platform, **fields: Any) -> Platform:
    """Approve or withdraw approval, or correct what the catalogue says."""
    require_lead(actor, platform.organisation_id)
    _check_fields(fields, PLATFORM_FIELDS)
    before = snapshot(platform)
    for name, value in fields.items():
        setattr(platform, name, value)
    platform.full_clean()
    save_and_record(
        actor=actor, organisation=platform.organisation, obj=platform, before=before
    )
    return platform


# --- Purposes ----------------------------------------------------------------------

# The list a new organisation starts with; the Lead adds, renames and retires.
STARTING_PURPOSES = (
    "Group notices and arrangements",
    "Trips and events",
    "Follow-up from a session",
    "Pastoral support",
    "Mentoring",
    "Emergency information",
)
PURPOSE_NAME_MAX = 100


def _purpose_name(organisation_id: int, name: str, exclude: int | None = None) -> str:
    tidy = " ".join(name.split())
    if not tidy:
        raise ValidationError({"name": "Give the purpose a name."})
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in tidy):
        raise ValidationError({"name": "Use letters, numbers and punctuation only."})
    if len(tidy) > PURPOSE_NAME_MAX:
        raise ValidationError(
            {"name": f"Keep the name under {PURPOSE_NAME_MAX} characters."}
        )
    taken = Purpose.objects.filter(organisation_id=organisation_id, name__iexact=tidy)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": f"There is already a purpose called {tidy}."})
    return tidy


@transaction.atomic
def seed_purposes(
    *, organisation: Organisation, actor: User | None = None
) -> list[Purpose]:
    """Add the starting purposes the organisation does not have (by name)."""
    if actor is not None:
        require_lead(actor, organisation)
    have = {
        n.lower()
        for n in Purpose.objects.filter(organisation=organisation).values_list(
            "name", flat=True
        )
    }
    added = []
    for name in STARTING_PURPOSES:
        if name.lower() not in have:
            purpose = Purpose.objects.create(organisation=organisation, name=name)
            save_and_record(
                actor=actor, organisation=organisation, obj=purpose, before=None
            )
            added.append(purpose)
    return added


@transaction.atomic
def add_purpose(*, actor: User, organisation: Organisation, name: str) -> Purpose:
    require_lead(actor, organisation)
    purpose = Purpose(
        organisation=organisation, name=_purpose_name(organisation.pk, name)
    )
    with _name_not_taken_meanwhile(purpose):
        save_and_record(
            actor=actor, organisation=organisation, obj=purpose, before=None
        )
    return purpose


@contextmanager
def _name_not_taken_meanwhile(purpose: Purpose) -> Iterator[None]:
    """Turn a name taken at the same moment into a plain error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise ValidationError(
            {"name": f"There is already a purpose called {purpose.name}."}
        ) from None


@transaction.atomic
def rename_purpose(*, actor: User, purpose: Purpose, name: str) -> Purpose:
    """Rename everywhere at once: groups, consents and messages point at it."""
    require_lead(actor, purpose.organisation_id)
    before = snapshot(purpose)
    purpose.name = _purpose_name(purpose.organisation_id, name, exclude=purpose.pk)
    with _name_not_taken_meanwhile(purpose):
        save_and_record(
            actor=actor,
            organisation=purpose.organisation,
            obj=purpose,
            before=before,
            update_fields=["name"],
        )
    return purpose


@transaction.atomic
def retire_purpose(*, actor: User, purpose: Purpose, retired: bool = True) -> Purpose:
    """Retire (or bring back) a purpose. It is never deleted: consents and
    messages that name it keep it, and nobody can choose it while retired."""
    require_lead(actor, purpose.organisation_id)
    if (purpose.retired_at is not None) == retired:
        state = "retired" if retired else "in use"
        raise ValidationError(f"{purpose} is already {state}.")
    before = snapshot(purpose)
    purpose.retired_at = timezone.now() if retired else None
    save_and_record(
        actor=actor,
        organisation=purpose.organisation,
        obj=purpose,
        before=before,
        update_fields=["retired_at"],
    )
    return purpose


def check_purposes(
    organisation_id: int,
    chosen: Iterable[Purpose],
    keep: Iterable[Purpose] = (),
    *,
    field: str = "purposes",
) -> list[Purpose]:
    """The organisation's purposes, none retired unless already in ``keep``."""
    chosen, kept = list(chosen), {p.pk for p in keep}
    if any(p.organisation_id != organisation_id for p in chosen):
        raise PermissionDenied("Purposes must be from your organisation's list.")
    retired = [str(p) for p in chosen if p.retired_at and p.pk not in kept]
    if retired:
        raise ValidationError(
            {field: f"{', '.join(retired)} is retired: choose a purpose in use."}
        )
    return chosen


# --- Groups ----------------------------------------------------------------------


def _clean_group_fields(organisation_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    if "hours" in fields:
        fields["hours"] = validate_hours(fields["hours"])
    platform = fields.get("platform")
    if platform is not None and platform.organisation_id != organisation_id:
        raise PermissionDenied("The platform must be one of your organisation's.")
    return fields


def _set_purposes(group: Group, purposes: list[Purpose] | None, new: bool) -> None:
    """Save the group's purposes: at least one, from the list, in use."""
    if purposes is None and not new:
        return
    keep = [] if new else list(group.purposes.all())
    chosen = check_purposes(group.organisation_id, purposes or (), keep)
    if not chosen:
        raise ValidationError(
            {"purposes": "Choose what the group is for: contact needs a clear purpose."}
        )
    group.purposes.set(chosen)
    if not new:  # a new group has no members yet
        register_state.refresh_groups([group.pk])


def _group_after(group: Group) -> dict[str, Any]:
    data = snapshot(group)
    data["purposes"] = sorted(str(p.code) for p in group.purposes.all())
    return data


def _validate_group(group: Group) -> None:
    errors = {}
    if (
        group.age_min is not None
        and group.age_max is not None
        and group.age_max < group.age_min
    ):
        errors["age_max"] = "The oldest age must not be below the youngest."
    if errors:
        raise ValidationError(errors)
    group.full_clean(exclude=["hours"])


@transaction.atomic
def create_group(*, actor: User, organisation: Organisation, **fields: Any) -> Group:
    require_lead(actor, organisation)
    _check_fields(fields, GROUP_FIELDS)
    purposes = fields.pop("purposes", None)
    group = Group(
        organisation=organisation, **_clean_group_fields(organisation.pk, fields)
    )
    _validate_group(group)
    group.save()  # first, so that its purposes can be set
    _set_purposes(group, purposes, new=True)
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=group,
        before=None,
        after=_group_after(group),
    )
    return group


@transaction.atomic
def update_group(*, actor: User, group: Group, **fields: Any) -> Group:
    require_lead(actor, group.organisation_id)
    _check_fields(fields, GROUP_FIELDS)
    before = _group_after(group)
    purposes = fields.pop("purposes", None)
    for name, value in _clean_group_fields(group.organisation_id, fields).items():
        setattr(group, name, value)
    _validate_group(group)
    _set_purposes(group, purposes, new=False)
    save_and_record(
        actor=actor,
        organisation=group.organisation,
        obj=group,
        before=before,
        after=_group_after(group),
    )
    return group


class MembershipRefused(ValidationError):
    """The policy engine refused (or held) a membership; ``decision`` says why."""

    def __init__(self, decision: policy.Decision) -> None:
        self.decision = decision
        problems = [r for r in decision.reasons if r.effect is not Outcome.ALLOW]
        lines = [f"{r.message} {r.fix}" for r in problems]
        if decision.outcome is Outcome.HOLD:
            lines.append(
                "To add them anyway, give your reason for the exception; it is "
                "kept in the audit trail."
            )
        super().__init__(lines)


def _policy_record(decision: policy.Decision, exception_reason: str) -> dict[str, Any]:
    return {
        "policy": [
            {"rule_id": r.rule_id, "effect": r.effect.value, "message": r.message}
            for r in decision.reasons
        ],
        "exception_reason": exception_reason.strip(),
    }


@transaction.atomic
def add_member(
    *,
    actor: User,
    group: Group,
    person: Person,
    role: str = GroupMember.Role.MEMBER,
    exception_reason: str = "",
) -> GroupMember:
    """Add ``person`` to ``group`` if the policy engine allows it.

    Raises ``MembershipRefused`` with every reason and its fix when it does
    not; a child outside the group's age range needs ``exception_reason``.
    """
    require_lead(actor, group.organisation_id)
    if person.organisation_id != group.organisation_id:
        raise PermissionDenied("The person must be in your organisation.")
    if GroupMember.objects.filter(group=group, person=person, removed_at=None).exists():
        raise ValidationError(f"{person} is already a member of {group}.")
    if role not in GroupMember.Role.values:
        raise ValidationError({"role": "Choose leader, member or parent."})
    decision = membership_decision(
        group=group, person=person, exception_reason=exception_reason
    )
    if not decision.may_send:
        raise MembershipRefused(decision)
    member = GroupMember.objects.create(
        group=group,
        person=person,
        role=role,
        added_by=actor,
        **register_state.member_facts(person.pk, group.pk),
    )
    save_and_record(
        actor=actor,
        organisation=group.organisation,
        obj=member,
        before=None,
        after=snapshot(member) | _policy_record(decision, exception_reason),
    )
    transaction.on_commit(functools.partial(send_conduct_agreement, member.pk))
    return member


@transaction.atomic
def record_existing_member(
    *, actor: User, group: Group, person: Person, role: str = GroupMember.Role.MEMBER
) -> GroupMember:
    """Record a membership that already exists on the platform as it is.

    For a group set up before the organisation used SafeContact (the demo's
    groups): nothing is refused, the policy engine's reasons are kept in the
    audit trail and the attention list shows what needs putting right. New
    members go through ``add_member``.
    """
    require_lead(actor, group.organisation_id)
    if person.organisation_id != group.organisation_id:
        raise PermissionDenied("The person must be in your organisation.")
    decision = membership_decision(group=group, person=person)
    member = GroupMember.objects.create(
        group=group,
        person=person,
        role=role,
        added_by=actor,
        **register_state.member_facts(person.pk, group.pk),
    )
    save_and_record(
        actor=actor,
        organisation=group.organisation,
        obj=member,
        before=None,
        after=snapshot(member) | _policy_record(decision, ""),
    )
    return member


@transaction.atomic
def remove_member(*, actor: User, member: GroupMember) -> GroupMember:
    """Mark a membership ended; the row stays so the group's history does."""
    require_lead(actor, member.group.organisation_id)
    if member.removed_at is not None:
        raise ValidationError(f"{member.person} has already been removed.")
    return end_membership(actor, member, GroupMember.Removal.BY_LEAD)
