"""Past days' activity is stored once settled; the figures do not change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.concerns.tests.factories import make_case
from safecontact.contact.models import Message, Recipient
from safecontact.dashboard import selectors, services
from safecontact.dashboard.models import DailyActivity
from safecontact.lib.dates import org_today, org_zone
from safecontact.people.tests.factories import ParentFactory

pytestmark = pytest.mark.django_db


def _message(org: Organisation, status: str, days_ago: int) -> None:
    found = Message.objects.create(
        organisation=org, direction=Message.Direction.OUTBOUND, status=status
    )
    when = timezone.now() - dt.timedelta(days=days_ago, hours=1)
    Message.objects.filter(pk=found.pk).update(created_at=when)


def _history(org: Organisation, n: int) -> None:
    statuses = [Message.Status.SENT, Message.Status.HELD, Message.Status.BLOCKED]
    for i in range(n):
        _message(org, statuses[i % 3], (i * 7) % 120)
    for days_ago in (2, 30, 90):
        case = make_case(org)
        case.__class__.objects.filter(pk=case.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago)
        )


def _figures(found: selectors.Activity) -> tuple[object, ...]:
    return (found.totals, found.previous, found.series, found.weeks)


def test_stored_days_give_the_figures_counted_live(org: Organisation) -> None:
    _history(org, 40)
    today = org_today(org)
    period = selectors.Period(today - dt.timedelta(days=55), today)
    live = selectors.activity(org, period)
    assert not DailyActivity.objects.exists()
    assert _figures(services.activity(org, period)) == _figures(live)
    stored = DailyActivity.objects.filter(organisation=org)
    # Every settled day of both periods, none of the last days.
    assert stored.count() == 2 * 56 - selectors.SETTLE_DAYS
    newest = stored.order_by("-day").first()
    assert newest is not None
    assert newest.day == today - dt.timedelta(days=selectors.SETTLE_DAYS)
    assert _figures(selectors.activity(org, period)) == _figures(live)


def test_the_days_are_stored_with_the_nightly_figures(org: Organisation) -> None:
    _history(org, 12)
    services.take_snapshot(org)
    today = org_today(org)
    settled = today - dt.timedelta(days=selectors.SETTLE_DAYS)
    assert DailyActivity.objects.filter(organisation=org, day=settled).exists()
    assert not DailyActivity.objects.filter(day__gt=settled).exists()


@pytest.mark.parametrize("messages", [6, 60])
def test_a_years_activity_costs_the_same_queries_at_any_size(
    org: Organisation, lead: User, messages: int
) -> None:
    _history(org, messages)
    today = org_today(org)
    period = selectors.Period(today - dt.timedelta(days=364), today)
    services.activity(org, period)
    with CaptureQueriesContext(connection) as ctx:
        services.activity(org, period)
    # Stored days (2: which are stored, and their counts), the last days
    # counted live (5) and the response times (4).
    assert len(ctx.captured_queries) == 11


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland"])
def test_a_few_days_are_told_apart_as_the_date_function_tells_them(
    org: Organisation, zone: str
) -> None:
    # Each message near the edges of its local day, across the change of the
    # clocks (Europe/London, 25 October 2026): a few days are told apart by
    # comparing with the days' starts, more by the database's date function.
    # The days are the organisation's, wherever the server is.
    org.timezone = zone
    org.save()
    tz = org_zone(org)
    start = dt.date(2026, 10, 19)
    days = selectors.days_between(start, start + dt.timedelta(days=12))
    expected: dict[dt.date, int] = {}
    for n, day in enumerate(days):
        for clock in (dt.time(0, 0), dt.time(0, 30), dt.time(23, 59, 59)):
            for _ in range(n % 3 + 1):
                when = dt.datetime.combine(day, clock, tzinfo=tz)
                found = Message.objects.create(
                    organisation=org,
                    direction=Message.Direction.OUTBOUND,
                    status=Message.Status.SENT,
                )
                Message.objects.filter(pk=found.pk).update(created_at=when)
                expected[day] = expected.get(day, 0) + 1
    assert len(days) <= selectors.BOUNDED_DAYS
    for first in range(len(days)):
        for last in range(first, len(days)):
            counted = selectors.daily_counts(org, days[first], days[last])
            assert {d: c["sent"] for d, c in counted.items()} == {
                d: expected[d] for d in days[first : last + 1]
            }
    wide = selectors.daily_counts(
        org, start - dt.timedelta(days=10), days[-1] + dt.timedelta(days=10)
    )
    assert {d: c["sent"] for d, c in wide.items()} == expected


def test_a_message_changed_by_a_rule_counts_once_on_its_day(
    org: Organisation,
) -> None:
    people = [ParentFactory.create(organisation=org) for _ in range(3)]
    today = org_today(org)
    rules = [("copy-parent", "copy-parent"), ("", ""), ("copy-parent", "")]
    for days_ago, added in enumerate(rules):
        found = Message.objects.create(
            organisation=org,
            direction=Message.Direction.OUTBOUND,
            status=Message.Status.SENT,
        )
        for person, rule in zip(people, added, strict=False):
            Recipient.objects.create(message=found, person=person, added_by_rule=rule)
        noon = dt.datetime.combine(
            today - dt.timedelta(days=days_ago),
            dt.time(12),
            tzinfo=org_zone(org),
        )
        Message.objects.filter(pk=found.pk).update(created_at=noon)
    start = today - dt.timedelta(days=5)
    narrow = selectors.daily_counts(org, start, today)
    wide = selectors.daily_counts(org, today - dt.timedelta(days=30), today)
    for counted in (narrow, wide):
        changed = {d: c["changed"] for d, c in counted.items() if "changed" in c}
        # Two rule-added recipients, one message; none added by a rule: none.
        assert changed == {today: 1, today - dt.timedelta(days=2): 1}
