"""Reads for risk assessments: the facts the register knows about a group,
and which assessments need the Lead.

``group_facts`` reads any number of groups in a fixed number of queries; the
register's own attention items decide who is unchecked, under age, without
consent or a former worker, so those facts have one definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from safecontact.assessments.models import Control, RiskAssessment
from safecontact.contact.models import Alert, Message, Recipient
from safecontact.contact.services.inputs import hours_of
from safecontact.groups.models import Group, GroupMember
from safecontact.people.models import Person
from safecontact.people.selectors import AttentionItem
from safecontact.people.selectors.attention import problem_counts
from safeguarding.assessment import GroupFacts, review_reasons
from safeguarding.governance import Review, review_state
from safeguarding.policy import group_hours

# One-to-one contact and alerts are counted over this many recent days.
RECENT_DAYS = 90
_PROTECTED = (Person.Kind.CHILD, Person.Kind.ADULT_AT_RISK)


def assessments_for(organisation: Any) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(organisation=organisation).select_related(
        "group", "group__platform", "signed_off_by"
    )


def group_facts(
    organisation: Any, groups: Sequence[Group], day: dt.date
) -> dict[int, GroupFacts]:
    """GroupFacts for each group, by group id (7 queries).

    Who is unchecked, under age, without consent or a former worker is counted
    by the register's attention list, so those facts have one definition.
    """
    if not groups:
        return {}
    ids = [g.pk for g in groups]
    problems = problem_counts(organisation, day, ids)
    since = dt.datetime.combine(
        day - dt.timedelta(days=RECENT_DAYS), dt.time.min, dt.UTC
    )
    members = _member_counts(ids)
    default = hours_of(organisation.default_hours)
    direct = _one_to_one_counts(organisation, ids, since)
    # Alerts on the group's messages, and alerts raised from audits of it.
    alerts = dict(
        Alert.objects.filter(
            Q(message__group_id__in=ids) | Q(audit_finding__audit__group_id__in=ids),
            created_at__gte=since,
        )
        .annotate(
            group_id=Coalesce("message__group_id", "audit_finding__audit__group_id")
        )
        .values_list("group_id")
        .annotate(n=Count("id"))
    )
    return {
        g.pk: GroupFacts(
            platform=g.platform.name,
            platform_minimum_age=g.platform.minimum_age,
            platform_approved=g.platform.approved,
            members=members.get(g.pk, (0, 0))[0],
            children=members.get(g.pk, (0, 0))[1],
            under_minimum_age=problems[(g.pk, "under_age")],
            unchecked_adults=problems[(g.pk, "unchecked_adult")],
            former_workers=problems[(g.pk, "ex_worker")],
            without_consent=problems[(g.pk, "consent")],
            # The gateway's answer: the group's own hours, else the default.
            hours_agreed=group_hours(hours_of(g.hours), default) is not None,
            one_to_one_messages=direct.get(g.pk, 0),
            alerts=alerts.get(g.pk, 0),
        )
        for g in groups
    }


def _member_counts(ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = (
        GroupMember.objects.filter(group_id__in=ids, removed_at=None)
        .values_list("group_id")
        .annotate(
            n=Count("id"),
            children=Count("id", filter=Q(person__kind=Person.Kind.CHILD)),
        )
    )
    return {group: (n, children) for group, n, children in rows}


def _one_to_one_counts(
    organisation: Any, ids: list[int], since: dt.datetime
) -> dict[int, int]:
    """Direct (not group) messages to a child or adult at risk in each group."""
    rows = (
        Recipient.objects.filter(
            message__organisation=organisation,
            message__group__isnull=True,
            message__direction=Message.Direction.OUTBOUND,
            message__created_at__gte=since,
            role=Recipient.Role.TO,
            person__kind__in=_PROTECTED,
            person__memberships__group_id__in=ids,
            person__memberships__removed_at=None,
        )
        .values_list("person__memberships__group_id")
        .annotate(n=Count("message", distinct=True))
    )
    return dict(rows)


@dataclass(frozen=True)
class Standing:
    """Where an assessment stands today, in words for the Lead."""

    assessment: RiskAssessment
    reasons: tuple[str, ...]
    review: Review
    overdue_controls: int

    @property
    def needs_review(self) -> bool:
        return bool(self.reasons) or self.review is Review.OVERDUE


def standings(
    assessments: Sequence[RiskAssessment],
    day: dt.date,
    facts: dict[int, GroupFacts],
) -> list[Standing]:
    overdue = dict(
        Control.objects.filter(
            hazard__assessment__in=list(assessments), done_on=None, due__lt=day
        )
        .values_list("hazard__assessment_id")
        .annotate(n=Count("id"))
    )
    found = []
    for a in assessments:
        reasons: tuple[str, ...] = ()
        if a.is_signed_off and a.signed_facts and a.group_id in facts:
            reasons = review_reasons(
                GroupFacts.from_dict(a.signed_facts), facts[a.group_id]
            )
        review = review_state(a.review_due, day) if a.is_signed_off else Review.NOT_SET
        found.append(Standing(a, reasons, review, overdue.get(a.pk, 0)))
    return found


def attention(organisation: Any, day: dt.date) -> list[AttentionItem]:
    """Assessments flagged by new facts, past their review, or with late controls."""
    live = list(assessments_for(organisation).filter(archived_at=None))
    groups = [a.group for a in live if a.group is not None]
    facts = group_facts(organisation, groups, day)
    items = []
    for s in standings(live, day, facts):
        a = s.assessment
        url = a.get_absolute_url()
        if s.reasons:
            items.append(_item(a, "Needs review: " + " ".join(s.reasons), url))
        elif s.review is Review.OVERDUE:
            items.append(
                _item(a, f"Was due for review on {a.review_due:%d %B %Y}.", url)
            )
        if s.overdue_controls:
            n = s.overdue_controls
            items.append(
                _item(
                    a,
                    f"{n} control{'s' if n > 1 else ''} past {'their' if n > 1 else 'its'} due date.",
                    url,
                )
            )
    return items


def _item(assessment: RiskAssessment, message: str, url: str) -> AttentionItem:
    return AttentionItem(
        "risk_assessment",
        None,
        f"{assessment.title}: {message}",
        "Open the risk assessment",
        url,
        group=assessment.group,
    )
