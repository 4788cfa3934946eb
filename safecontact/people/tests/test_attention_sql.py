"""The attention list's SQL finds exactly the rows its Python deciders word.

The database counts and pages each category; the deciders (the rules applied
to one row) word the rows shown. On a randomised register, every row the
deciders flag is found by the SQL and nothing else is, on the days around a
leap day and with two DBS renewal periods.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from safecontact.groups.models import Group, GroupMember
from safecontact.people import selectors
from safecontact.people.selectors import attention
from safecontact.people.tests import random_register

pytestmark = pytest.mark.django_db

DAY = dt.date(2028, 2, 29)


def _by_deciders(org, day):
    """Every item, by running the deciders over every worker and membership."""
    soon = day + dt.timedelta(days=selectors.DUE_SOON_DAYS)
    years = org.vetting_renewal_years
    found = []
    for person in selectors.active_workers(org, day):
        found.append(attention._vetting_item(person, day, years, soon))
        found.extend(attention._training_item(person, day, soon))
    consents = selectors.latest_consents(org)
    members = GroupMember.objects.filter(
        group__organisation=org, group__archived_at=None, removed_at=None
    ).select_related("person", "group", "group__platform", "group__organisation")
    for member in members.prefetch_related(
        "group__purposes", "person__vetting_checks", "person__training"
    ):
        person = member.person
        age = person.age(day)
        if selectors.needs_consent(person.kind, age):
            found.append(attention._consent_item(member, consents.get(person.pk), day))
        found.append(
            attention._ex_worker_item(member, day)
            or attention._unchecked_adult_item(member, age, day)
        )
        found.append(attention._under_age_item(member, age))
    for group in Group.objects.filter(organisation=org, archived_at=None):
        if not group.platform.approved:
            found.append(attention._platform_item(group))
        if group.account == Group.Account.PERSONAL:
            found.append(attention._personal_account_item(group))
    return [i for i in found if i is not None]


def _key(item):
    return (
        item.category,
        item.person.pk if item.person else None,
        item.group.pk if item.group else None,
        item.message,
    )


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_sql_and_the_deciders_find_the_same_items(org, seed):
    random_register.build(org, DAY, seed, size=150)
    seen: Counter[str] = Counter()
    for years in (3, 2):
        org.vetting_renewal_years = years
        org.save(update_fields=["vetting_renewal_years"])
        for day in (DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)):
            expected = _by_deciders(org, day)
            found = attention.attention_items(org, day)
            assert sorted(map(_key, found)) == sorted(map(_key, expected)), day
            by_category = Counter(i.category for i in expected)
            counts = attention.counts(org, day)
            assert {k: n for k, n in counts.items() if n} == dict(by_category)
            groups = [g.pk for g in Group.objects.filter(organisation=org)]
            per_group = Counter(
                (i.group.pk, i.category)
                for i in expected
                if i.category in attention.MEMBER_CATEGORIES
            )
            problems = attention.problem_counts(org, day, groups)
            assert +problems == per_group
            seen.update(by_category)
    # The fixture exercises every category the register has rows for.
    assert set(attention.REGISTER_CATEGORIES) - {"group_audit"} <= set(seen)


def test_a_page_of_a_category_is_worded_in_the_order_it_is_counted(org):
    random_register.build(org, DAY, 21, size=150)
    for category in attention.REGISTER_CATEGORIES:
        rows = list(attention.rows(org, DAY, category)[:7])
        worded = attention.items(org, DAY, category, rows)
        assert len(worded) == len(rows)
