"""Reads of groups and platforms shared by pages, the API and other apps."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safecontact.groups.models import Group, GroupMember, Platform
from safeguarding import policy


def visible_groups(user: Any) -> QuerySet[Group]:
    """All groups for oversight roles; for a worker, the groups they are in."""
    groups = Group.objects.filter(organisation_id=user.organisation_id)
    if user.is_oversight:
        return groups
    mine = GroupMember.objects.filter(person__user=user, removed_at=None)
    return groups.filter(pk__in=mine.values("group_id"))


def current_members(group: Group) -> QuerySet[GroupMember]:
    return group.members.filter(removed_at=None).select_related("person", "added_by")


def policy_platform(platform: Platform) -> policy.Platform:
    """The platform as the policy engine sees it."""
    return policy.Platform(
        platform.name, platform.minimum_age, platform.approved, str(platform.code)
    )
