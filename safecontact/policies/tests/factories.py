from __future__ import annotations

from typing import Any, cast

from safecontact.accounts.models import Organisation, User
from safecontact.policies import services
from safecontact.policies.models import Policy, PolicyVersion
from safecontact.policies.selectors import current_version
from safecontact.policies.starters import BY_SLUG


def published_policy(lead: User, slug: str = "conduct", **settings: Any) -> Policy:
    """A policy from one of our starters, published by ``lead``."""
    starter = BY_SLUG[slug]
    policy = services.create_policy(
        actor=lead,
        organisation=cast(Organisation, lead.organisation),
        title=starter.title,
        area=starter.area,
        audience=settings.pop("audience", starter.audience),
        body=starter.body,
        **settings,
    )
    services.publish_draft(actor=lead, policy=policy)
    return policy


def in_force(policy: Policy) -> PolicyVersion:
    version = current_version(policy)
    if version is None:
        raise AssertionError(f"{policy} has no published version")
    return version
