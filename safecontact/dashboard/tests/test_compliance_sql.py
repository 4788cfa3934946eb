"""The dashboard's compliance counts, made by the database, agree with the
register's Python rules (worker_clearance; consent in force and fitting the
group as the policy core decides) on a randomised register, and with the
attention list's consent category."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from safecontact.dashboard import selectors
from safecontact.groups.models import Group, GroupMember
from safecontact.people import selectors as people
from safecontact.people.selectors import attention
from safecontact.people.tests import random_register
from safeguarding.policy import ConsentState, consent_fits_group

pytestmark = pytest.mark.django_db

DAY = dt.date(2028, 2, 29)


def _python_workers(org, day):
    found: Counter[str] = Counter()
    for person in people.active_workers(org, day):
        c = people.worker_clearance(person, day, org.vetting_renewal_years)
        found["total"] += 1
        found["either"] += c.children or c.adults
        found["children"] += c.children
        found["adults"] += c.adults
    return (found["total"], found["either"], found["children"], found["adults"])


def _python_groups(org, day):
    """Per group: members who need consent, and those whose newest consent is
    current, names the group (or none) and allows one of its purposes."""
    consents = people.latest_consents(org)
    needing: Counter[int] = Counter()
    covered: Counter[int] = Counter()
    members = (
        GroupMember.objects.filter(
            group__organisation=org, group__archived_at=None, removed_at=None
        )
        .select_related("person", "group")
        .prefetch_related("group__purposes")
    )
    for m in members:
        if people.needs_consent(m.person.kind, m.person.age(day)):
            needing[m.group_id] += 1
            consent = consents.get(m.person_id)
            covered[m.group_id] += (
                people.consent_state(consent, day) == ConsentState.CURRENT
                and consent is not None
                and consent_fits_group(
                    consent.covered_groups,  # type: ignore[attr-defined]
                    consent.allowed_purposes,  # type: ignore[attr-defined]
                    m.group_id,
                    {p.pk for p in m.group.purposes.all()},
                )
            )
    return needing, covered


@pytest.mark.parametrize("seed", [31, 32])
def test_the_compliance_counts_agree_with_the_register_rules(org, seed):
    random_register.build(org, DAY, seed, size=150)
    for day in (DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)):
        assert selectors._cleared_workers(org, day) == _python_workers(org, day)
        needing, covered = _python_groups(org, day)
        rows = selectors._group_consent(org, day)
        assert sum(needing.values()) > 0
        pks = {str(code): pk for code, pk in Group.objects.values_list("code", "pk")}
        assert sum(covered.values()) > 0
        assert sum(needing.values()) > sum(covered.values())
        listed = attention.problem_counts(org, day, list(pks.values()))
        for row in rows:
            pk = pks[row.code]
            assert (row.needing, row.covered) == (needing[pk], covered[pk])
            # Rule: the attention list's "consent" category, group by group.
            assert row.needing - row.covered == listed[(pk, "consent")]
