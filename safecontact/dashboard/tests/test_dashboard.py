"""The Lead's dashboard: compliance figures, weekly activity, date range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audits import services as audits
from safecontact.audits.tests.factories import finished_audit
from safecontact.concerns import services as concerns
from safecontact.concerns.tests.factories import make_case
from safecontact.contact.models import Message
from safecontact.dashboard import selectors
from safecontact.dashboard.models import ComplianceSnapshot, DailyActivity
from safecontact.dashboard.tests.builders import organisation_of
from safecontact.groups.tests.factories import GroupFactory
from safecontact.lib.dates import org_today


def _message(org: Organisation, status: str, days_ago: int) -> Message:
    # Rows as the gateway leaves them; the gateway's own tests cover sending.
    found = Message.objects.create(
        organisation=org, direction=Message.Direction.OUTBOUND, status=status
    )
    when = timezone.now() - dt.timedelta(days=days_ago)
    Message.objects.filter(pk=found.pk).update(created_at=when)
    return found


def test_it_counts_cleared_workers_with_the_clearance_rules(org: Organisation) -> None:
    organisation_of(org, 6)
    figures = selectors.compliance(org, org_today(org))
    assert figures.workers == 6
    assert figures.cleared == 4  # two have no DBS check
    assert figures.cleared_children == 4


def test_it_counts_consent_that_covers_each_group(org: Organisation) -> None:
    organisation_of(org, 4)
    figures = selectors.compliance(org, org_today(org))
    (group,) = figures.groups
    # 4 children (2 with consent) and an adult at risk without: 2 of 5.
    assert (group.covered, group.needing) == (2, 5)
    assert group.problems
    assert figures.percents()["consent"] == 40


def test_it_shows_the_lead_compliance_and_charts(
    org: Organisation, lead: User, client_for: Callable[[User], Any]
) -> None:
    organisation_of(org, 3)
    _message(org, Message.Status.SENT, 2)
    _message(org, Message.Status.HELD, 3)
    response = client_for(lead).get(reverse("dashboard:dashboard"))
    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "Workers cleared to work with children or adults at risk" in text
    assert 'role="img"' in text and "<title" in text and "<desc" in text
    assert "Messages by week: the numbers" in text
    assert reverse("contact:held") in text  # the figure links to its list


def test_it_compares_with_the_previous_period(org: Organisation) -> None:
    _message(org, Message.Status.SENT, 3)
    _message(org, Message.Status.SENT, 4)
    _message(org, Message.Status.BLOCKED, 40)
    today = org_today(org)
    period = selectors.Period(today - dt.timedelta(days=27), today)
    found = selectors.activity(org, period)
    assert found.totals["sent"] == 2
    assert found.previous["blocked"] == 1
    assert sum(found.series["sent"].values()) == 2


def test_it_measures_time_to_triage_and_referral(org: Organisation, lead: User) -> None:
    case = make_case(org)
    concerns.triage_case(
        actor=lead,
        case=case,
        category="grooming",
        risk="high",
        about="outside",
        about_user=None,
    )
    concerns.record_referral(
        actor=lead, case=case, agency="ceop", made_on=org_today(org)
    )
    today = org_today(org)
    found = selectors.activity(
        org, selectors.Period(today - dt.timedelta(days=6), today)
    )
    assert found.triage_hours is not None and found.triage_hours < 1
    assert found.referral_days == 0
    assert found.totals["opened"] == 1


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "not a date", "end": "2026-04-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
    ],
)
def test_it_refuses_a_bad_date_range_with_a_clear_error(
    lead: User, client_for: Callable[[User], Any], query: dict[str, str]
) -> None:
    response = client_for(lead).get(reverse("dashboard:dashboard"), query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error' in response.content.decode()


def test_it_is_the_leads_home_page(
    lead: User, client_for: Callable[[User], Any]
) -> None:
    response = client_for(lead).get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("dashboard:dashboard")


def test_it_keeps_the_workers_home_page(
    worker: User, client_for: Callable[[User], Any]
) -> None:
    response = client_for(worker).get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    assert client_for(worker).get(reverse("dashboard:dashboard")).status_code == 403


def test_it_refuses_the_wrong_method_and_anonymous(
    lead: User, client_for: Callable[[User], Any], client: Any
) -> None:
    url = reverse("dashboard:dashboard")
    assert client_for(lead).post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.get(url).status_code == HTTPStatus.FOUND


def _queries(client: Any, url: str) -> int:
    # Measure working the figures out, and storing the past days' activity.
    ComplianceSnapshot.objects.all().delete()
    DailyActivity.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name", ["dashboard:dashboard", "dashboard:report", "dashboard:report_print"]
)
def test_its_query_count_does_not_grow_with_the_organisation(
    org: Organisation,
    lead: User,
    client_for: Callable[[User], Any],
    name: str,
) -> None:
    client = client_for(lead)
    organisation_of(org, 3)
    small = _queries(client, reverse(name))
    organisation_of(org, 12)
    for days in range(0, 60, 5):
        _message(org, Message.Status.SENT, days)
    assert _queries(client, reverse(name)) == small


def test_it_reads_todays_figures_until_the_lead_works_them_out_again(
    org: Organisation, lead: User, client_for: Callable[[User], Any]
) -> None:
    client = client_for(lead)
    organisation_of(org, 3)
    client.get(reverse("dashboard:dashboard"))
    organisation_of(org, 3)  # three more workers, one not cleared
    stale = client.get(reverse("dashboard:dashboard")).context["compliance"]
    assert stale.workers == 3
    client.post(reverse("dashboard:refresh"))
    fresh = client.get(reverse("dashboard:dashboard")).context["compliance"]
    assert fresh.workers == 6
    assert ComplianceSnapshot.objects.filter(organisation=org).count() == 1


def test_alerts_raised_from_group_audits_count_as_alerts(
    org: Organisation, lead: User
) -> None:
    finding = finished_audit(GroupFactory.create(organisation=org)).findings.get()
    audits.raise_alert(actor=lead, finding=finding)
    today = org_today(org)
    found = selectors.activity(
        org, selectors.Period(today - dt.timedelta(days=27), today)
    )
    assert found.totals["content"] == 1
    assert sum(found.series["content"].values()) == 1
