"""Reads of policies: the version in force, and who still has to read it.

Each read costs a fixed number of queries, whatever the size of the
organisation (counted in the comments).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.urls import reverse

from safecontact.lib import rawsql
from safecontact.people.models import Person
from safecontact.people.selectors import AttentionItem, active_workers
from safecontact.policies.models import Acknowledgement, Policy, PolicyVersion
from safeguarding.governance import (
    Audience,
    Outstanding,
    PolicyFacts,
    Review,
    WorkerPolicyFacts,
    WorksWith,
    applies_to,
    outstanding,
    review_state,
)

LEAD_ROLES = ("lead", "deputy")


def current_version(policy: Policy) -> PolicyVersion | None:
    """The newest published version: the words in force."""
    return policy.versions.exclude(published_at=None).order_by("-number").first()


def policies_with_versions(organisation: Any) -> QuerySet[Policy]:
    """The organisation's policies with their published versions (2 queries)."""
    published = PolicyVersion.objects.exclude(published_at=None).order_by("-number")
    return (
        Policy.objects.filter(organisation=organisation)
        .select_related("owner")
        .prefetch_related(Prefetch("versions", published, to_attr="published"))
        .order_by("title")
    )


def in_force(policy: Policy) -> PolicyVersion | None:
    """The version in force of a policy loaded by ``policies_with_versions``."""
    published = getattr(policy, "published", None)
    if published is None:
        return current_version(policy)
    return published[0] if published else None


def facts(policy: Policy) -> PolicyFacts:
    version = in_force(policy)
    return PolicyFacts(
        audience=Audience(policy.audience),
        current_version=version.number if version else None,
        review_due=policy.review_due,
        blocks_contact=policy.blocks_contact,
    )


def worker_facts(person: Person) -> WorkerPolicyFacts:
    profile = getattr(person, "worker", None)
    user = person.user
    return WorkerPolicyFacts(
        works_with=WorksWith(profile.works_with if profile else WorksWith.BOTH),
        is_lead=bool(user and user.role in LEAD_ROLES),
    )


def _acknowledged(
    people: Iterable[int], versions: Iterable[PolicyVersion]
) -> dict[int, dict[str, int]]:
    """person id -> {policy code: newest version number acknowledged} (1 query)."""
    by_id = {v.pk: v for v in versions}
    rows = Acknowledgement.objects.filter(
        person_id__in=list(people), version_id__in=list(by_id)
    ).values_list("person_id", "version_id")
    seen: dict[int, dict[str, int]] = defaultdict(dict)
    for person_id, version_id in rows:
        version = by_id[version_id]
        key = str(version.policy.code)
        seen[person_id][key] = max(seen[person_id].get(key, 0), version.number)
    return seen


@dataclass(frozen=True)
class Due:
    policy: Policy
    version: PolicyVersion
    blocks_contact: bool


def _live(organisation: Any) -> list[Policy]:
    return [p for p in policies_with_versions(organisation) if p.retired_at is None]


def outstanding_for(person: Person) -> list[Due]:
    """The policies ``person`` must still read and acknowledge (3 queries)."""
    policies = _live(person.organisation_id)
    by_code = {str(p.code): p for p in policies}
    versions = [v for p in policies if (v := in_force(p))]
    acked = _acknowledged([person.pk], versions).get(person.pk, {})
    due = outstanding(
        ((str(p.code), facts(p)) for p in policies), worker_facts(person), acked
    )
    return [_due(by_code[d.policy], d) for d in due]


def _due(policy: Policy, item: Outstanding) -> Due:
    # outstanding() only names published policies, so one is in force.
    version = cast(PolicyVersion, in_force(policy))
    return Due(policy, version, item.blocks_contact)


def acknowledgement_rows(
    policy: Policy, version: PolicyVersion, day: dt.date
) -> list[tuple[Person, Acknowledgement | None]]:
    """Each active worker the policy applies to, with their acknowledgement."""
    people = [
        p
        for p in active_workers(policy.organisation_id, day).select_related(
            "worker", "user"
        )
        if applies_to(Audience(policy.audience), worker_facts(p))
    ]
    acks = {
        a.person_id: a
        for a in Acknowledgement.objects.filter(
            version=version, person_id__in=[p.pk for p in people]
        )
    }
    return [(p, acks.get(p.pk)) for p in people]


def attention_items(organisation: Any, day: dt.date) -> list[AttentionItem]:
    """Reviews due or overdue, and workers who have not read what is in force."""
    policies = _live(organisation)
    items = [_review_item(p, day) for p in policies]
    found = [i for i in items if i is not None]
    found.extend(_acknowledgement_items(organisation, policies, day))
    return found


def _review_item(policy: Policy, day: dt.date) -> AttentionItem | None:
    state = review_state(policy.review_due, day)
    if (
        in_force(policy) is None
        or policy.review_due is None
        or state in (Review.CURRENT, Review.NOT_SET)
    ):
        return None
    when = (
        f"was due for review on {policy.review_due:%d %B %Y}"
        if state is Review.OVERDUE
        else f"is due for review on {policy.review_due:%d %B %Y}"
    )
    return AttentionItem(
        "policy_review",
        None,
        f"{policy.title} {when}.",
        "Review the policy",
        policy.get_absolute_url(),
        due=policy.review_due,
    )


def _acknowledgement_items(
    organisation: Any, policies: list[Policy], day: dt.date
) -> list[AttentionItem]:
    versions = [v for p in policies if (v := in_force(p))]
    if not versions:
        return []
    by_code = {str(p.code): p for p in policies}
    people = list(active_workers(organisation, day).select_related("worker", "user"))
    acked = _acknowledged((p.pk for p in people), versions)
    items = []
    for person in people:
        due = outstanding(
            ((str(p.code), facts(p)) for p in policies),
            worker_facts(person),
            acked.get(person.pk, {}),
        )
        if due:
            items.append(_missing_item(person, [by_code[d.policy] for d in due], due))
    return items


def _missing_item(
    person: Person, policies: list[Policy], due: tuple[Outstanding, ...]
) -> AttentionItem:
    names = ", ".join(p.title for p in policies)
    stops = (
        " Until then they cannot contact anyone."
        if any(d.blocks_contact for d in due)
        else ""
    )
    return AttentionItem(
        "policy_acknowledgement",
        person,
        f"Has not yet read and acknowledged: {names}.{stops}",
        "See who has read it",
        reverse("policies:acknowledgements", args=[policies[0].code]),
    )


def binding_unread(person: Person, *, is_lead: bool) -> tuple[str, ...]:
    """Titles of binding codes of conduct ``person`` has not acknowledged.

    On the send path: one query when the organisation has no binding code,
    three when it has.
    """
    # Not policies_with_versions(): its owner join is not needed here, and
    # compiling it cost more than the rest of this check.
    # The policies in hand-written SQL (asked on every send, and most
    # organisations have no binding code): Policy.objects.filter(
    # organisation_id=..., blocks_contact=True, retired_at=None)
    # .order_by("title").
    rows = rawsql.fetch(
        f'SELECT {rawsql.columns(Policy, "p")} FROM "{Policy._meta.db_table}" p'  # noqa: S608
        ' WHERE p."organisation_id" = %s AND p."blocks_contact" = %s'
        ' AND p."retired_at" IS NULL ORDER BY p."title"',
        [person.organisation_id, True],
    )
    if not rows:
        return ()
    binding = [rawsql.instance(Policy, row) for row in rows]
    published = PolicyVersion.objects.exclude(published_at=None).order_by("-number")
    prefetch_related_objects(
        binding, Prefetch("versions", published, to_attr="published")
    )
    versions = [v for p in binding if (v := in_force(p))]
    acked = _acknowledged([person.pk], versions).get(person.pk, {})
    profile = getattr(person, "worker", None)
    worker = WorkerPolicyFacts(
        works_with=WorksWith(profile.works_with if profile else WorksWith.BOTH),
        is_lead=is_lead,
    )
    due = outstanding(((str(p.code), facts(p)) for p in binding), worker, acked)
    titles = {str(p.code): p.title for p in binding}
    return tuple(titles[d.policy] for d in due if d.blocks_contact)
