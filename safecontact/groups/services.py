"""Every write to platforms, groups and memberships goes through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.groups.models import Group, GroupMember, Platform
from safecontact.people.models import Person
from safecontact.people.services import require_lead, validate_hours

GROUP_FIELDS = frozenset(
    {
        "name",
        "purpose",
        "audience",
        "age_min",
        "age_max",
        "platform",
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
            actor=actor,
            organisation=organisation,
            obj=platform,
            before=None,
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
        actor=actor,
        organisation=platform.organisation,
        obj=platform,
        before=before,
    )
    return platform


# --- Groups ----------------------------------------------------------------------


def _clean_group_fields(organisation_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    if "hours" in fields:
        fields["hours"] = validate_hours(fields["hours"])
    platform = fields.get("platform")
    if platform is not None and platform.organisation_id != organisation_id:
        raise PermissionDenied("The platform must be one of your organisation's.")
    return fields


def _validate_group(group: Group) -> None:
    errors = {}
    if not (group.purpose or "").strip():
        errors["purpose"] = "Say what the group is for: contact needs a clear purpose."
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
    group = Group(
        organisation=organisation, **_clean_group_fields(organisation.pk, fields)
    )
    _validate_group(group)
    save_and_record(
        actor=actor,
        organisation=organisation,
        obj=group,
        before=None,
    )
    return group


@transaction.atomic
def update_group(*, actor: User, group: Group, **fields: Any) -> Group:
    require_lead(actor, group.organisation_id)
    _check_fields(fields, GROUP_FIELDS)
    before = snapshot(group)
    for name, value in _clean_group_fields(group.organisation_id, fields).items():
        setattr(group, name, value)
    _validate_group(group)
    save_and_record(
        actor=actor,
        organisation=group.organisation,
        obj=group,
        before=before,
    )
    return group


@transaction.atomic
def add_member(
    *, actor: User, group: Group, person: Person, role: str = GroupMember.Role.MEMBER
) -> GroupMember:
    """Add ``person`` to ``group``; the attention list flags any risk it brings."""
    require_lead(actor, group.organisation_id)
    if person.organisation_id != group.organisation_id:
        raise PermissionDenied("The person must be in your organisation.")
    if GroupMember.objects.filter(group=group, person=person, removed_at=None).exists():
        raise ValidationError(f"{person} is already a member of {group}.")
    if role not in GroupMember.Role.values:
        raise ValidationError({"role": "Choose leader, member or parent."})
    member = GroupMember.objects.create(
        group=group, person=person, role=role, added_by=actor
    )
    save_and_record(
        actor=actor,
        organisation=group.organisation,
        obj=member,
        before=None,
    )
    return member


@transaction.atomic
def remove_member(*, actor: User, member: GroupMember) -> GroupMember:
    """Mark a membership ended; the row stays so the group's history does."""
    require_lead(actor, member.group.organisation_id)
    if member.removed_at is not None:
        raise ValidationError(f"{member.person} has already been removed.")
    before = snapshot(member)
    member.removed_at = timezone.now()
    save_and_record(
        actor=actor,
        organisation=member.group.organisation,
        obj=member,
        before=before,
        update_fields=["removed_at"],
    )
    return member
