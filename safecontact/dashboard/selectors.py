"""The figures behind the dashboard, the trustees' report and the umbrella.

Every read costs a fixed number of queries whatever the size of the
organisation: counts are GROUP BY in SQL, and what needs safeguarding
knowledge (cleared, consent covers a group) is decided by the people and
policies selectors and the pure core, never re-implemented here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from django.db import models
from django.db.models import Count, DateField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import TruncDate

from safecontact.assessments import selectors as assessments
from safecontact.concerns.models import Case, Referral
from safecontact.contact.models import Alert, Message, Recipient
from safecontact.dashboard.models import DailyActivity
from safecontact.groups.models import Group, GroupMember
from safecontact.lib.dates import org_zone
from safecontact.people import selectors as people
from safecontact.people.models import Person, Training
from safecontact.people.selectors import attention
from safecontact.policies import selectors as policies
from safecontact.policies.models import PolicyVersion
from safeguarding.policy import Workforce

# --- Compliance ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupConsent:
    code: str
    name: str
    needing: int
    covered: int
    problems: tuple[str, ...]

    @property
    def percent(self) -> int:
        return percent(self.covered, self.needing)


@dataclass(frozen=True)
class Compliance:
    workers: int
    cleared: int
    cleared_children: int
    cleared_adults: int
    acknowledged: int
    policies_overdue: int
    groups: tuple[GroupConsent, ...]
    assessments: dict[str, int] | None
    # Items on the register's attention list when the figures were worked out.
    attention: int | None = None

    @property
    def needing_consent(self) -> int:
        return sum(g.needing for g in self.groups)

    @property
    def consent_covered(self) -> int:
        return sum(g.covered for g in self.groups)

    @property
    def groups_with_problems(self) -> tuple[GroupConsent, ...]:
        return tuple(g for g in self.groups if g.problems)

    def percents(self) -> dict[str, int]:
        """The figures an umbrella's thresholds are set on."""
        return {
            "cleared": percent(self.cleared, self.workers),
            "consent": percent(self.consent_covered, self.needing_consent),
            "acknowledged": percent(self.acknowledged, self.workers),
        }

    def counts(self) -> dict[str, Any]:
        """Counts only, for a snapshot an umbrella may read (groups by name,
        for the organisation's own dashboard; the umbrella's pages show none)."""
        return {
            "group_rows": [
                [g.code, g.name, g.needing, g.covered, list(g.problems)]
                for g in self.groups
            ],
            "assessments": self.assessments,
            "workers": self.workers,
            "cleared": self.cleared,
            "cleared_children": self.cleared_children,
            "cleared_adults": self.cleared_adults,
            "acknowledged": self.acknowledged,
            "policies_overdue": self.policies_overdue,
            "needing_consent": self.needing_consent,
            "consent_covered": self.consent_covered,
            "groups": len(self.groups),
            "groups_with_problems": len(self.groups_with_problems),
            "percents": self.percents(),
            "attention": self.attention,
        }


def from_counts(figures: dict[str, Any]) -> Compliance:
    """The figures a snapshot stored, back as a ``Compliance``."""
    return Compliance(
        workers=figures["workers"],
        cleared=figures["cleared"],
        cleared_children=figures["cleared_children"],
        cleared_adults=figures["cleared_adults"],
        acknowledged=figures["acknowledged"],
        policies_overdue=figures["policies_overdue"],
        groups=tuple(
            GroupConsent(code, name, needing, covered, tuple(problems))
            for code, name, needing, covered, problems in figures.get("group_rows", [])
        ),
        assessments=figures.get("assessments"),
        attention=figures.get("attention"),
    )


def percent(part: int, whole: int) -> int:
    """A whole-number percentage; 100 when there is nothing to count."""
    return 100 if whole == 0 else round(100 * part / whole)


def assessment_counts(organisation: Any, day: dt.date) -> dict[str, int] | None:
    """Risk assessments: how many are signed off and still current, how many
    need review (facts worse since sign-off, or past the review date) and how
    many are drafts, out of all in use. A fixed number of queries."""
    live = list(assessments.assessments_for(organisation).filter(archived_at=None))
    if not live:
        return None
    groups = [a.group for a in live if a.group is not None]
    facts = assessments.group_facts(organisation, groups, day)
    standings = assessments.standings(live, day, facts)
    review = sum(s.assessment.is_signed_off and s.needs_review for s in standings)
    drafts = sum(not s.assessment.is_signed_off for s in standings)
    return {
        "current": len(live) - review - drafts,
        "review": review,
        "drafts": drafts,
        "total": len(live),
    }


def _cleared_workers(organisation: Any, day: dt.date) -> tuple[int, int, int, int]:
    """(active workers, cleared for either, for children, for adults): 1 query,
    counted by the database with the register's clearance in SQL."""
    years = organisation.vetting_renewal_years
    children = people.cleared_q(day, years, Workforce.CHILDREN)
    adults = people.cleared_q(day, years, Workforce.ADULTS)
    found = Person.objects.filter(
        people.active_q(day), organisation=organisation
    ).aggregate(
        total=Count("pk"),
        either=Count("pk", filter=children | adults),
        children=Count("pk", filter=children),
        adults=Count("pk", filter=adults),
    )
    return found["total"], found["either"], found["children"], found["adults"]


def _policy_figures(organisation: Any, day: dt.date) -> tuple[int, int]:
    """(workers with a policy still to acknowledge, reviews overdue): 4 queries."""
    items = policies.attention_items(organisation, day)
    unread = {
        i.person.pk
        for i in items
        if i.category == "policy_acknowledgement" and i.person is not None
    }
    overdue = sum(
        1 for i in items if i.category == "policy_review" and i.due and i.due < day
    )
    return len(unread), overdue


def _group_consent(organisation: Any, day: dt.date) -> tuple[GroupConsent, ...]:
    """Consent coverage of each live group (2 queries), counted by the database
    with the attention list's definitions of who needs consent and whose
    consent covers the group: in force today, naming the group (or none) and
    allowing one of its purposes, as the consent category decides, so a group
    the dashboard shows as covered has no consent item on the attention list."""
    groups = list(
        Group.objects.filter(organisation=organisation, archived_at=None)
        .select_related("platform")
        .order_by("name")
    )
    needs = attention.needs_consent_q(day)
    rows = (
        GroupMember.objects.filter(
            group__organisation=organisation, group__archived_at=None, removed_at=None
        )
        .values("group_id")
        .annotate(
            needing=Count("pk", filter=needs),
            covered=Count("pk", filter=needs & attention.consent_fits_q(day)),
        )
    )
    counted = {r["group_id"]: (r["needing"], r["covered"]) for r in rows}
    return tuple(_group_row(g, *counted.get(g.pk, (0, 0))) for g in groups)


def _group_row(group: Group, needing: int, covered: int) -> GroupConsent:
    problems = []
    if covered < needing:
        problems.append(f"{needing - covered} without consent that covers the group")
    if not group.platform.approved:
        problems.append("platform not approved")
    if group.account == Group.Account.PERSONAL:
        problems.append("run from a personal account")
    return GroupConsent(str(group.code), group.name, needing, covered, tuple(problems))


def compliance(organisation: Any, day: dt.date) -> Compliance:
    """Where the organisation stands today (about 12 queries, whatever its size)."""
    workers, cleared, children, adults = _cleared_workers(organisation, day)
    unread, overdue = _policy_figures(organisation, day)
    return Compliance(
        workers=workers,
        cleared=cleared,
        cleared_children=children,
        cleared_adults=adults,
        acknowledged=max(workers - unread, 0),
        policies_overdue=overdue,
        groups=_group_consent(organisation, day),
        assessments=assessment_counts(organisation, day),
        attention=attention.total(organisation, day),
    )


# --- Activity over time ------------------------------------------------------------

MESSAGE_SERIES = ("sent", "changed", "deferred", "held", "blocked")
SERIES_LABELS = {
    "sent": "Sent",
    "changed": "Changed (someone copied in)",
    "deferred": "Deferred to agreed hours",
    "held": "Held for review",
    "blocked": "Blocked",
    "content": "Alerts",
    "early_warning": "Early warnings",
    "opened": "Concerns opened",
    "closed": "Concerns closed",
}
# Alerts raised from group audits count with the scanner's alerts.
ALERT_SERIES_OF: dict[str, str] = {
    Alert.Kind.CONTENT.value: "content",
    Alert.Kind.AUDIT.value: "content",
    Alert.Kind.EARLY_WARNING.value: "early_warning",
}
_BLOCKED = (Message.Status.BLOCKED, Message.Status.STOPPED, Message.Status.REJECTED)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def bounds(self, tz: Any) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(
            self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz
        )
        return start, end

    def weeks(self) -> list[dt.date]:
        monday = self.start - dt.timedelta(days=self.start.weekday())
        found = []
        while monday <= self.end:
            found.append(monday)
            monday += dt.timedelta(days=7)
        return found


@dataclass
class Activity:
    period: Period
    weeks: list[dt.date]
    # series -> week -> count
    series: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)
    triage_hours: float | None = None
    referral_days: float | None = None
    previous_triage_hours: float | None = None
    previous_referral_days: float | None = None

    def comparison(self) -> list[tuple[str, int, int]]:
        """(label, this period, previous period) for every series."""
        return [
            (label, self.totals.get(key, 0), self.previous.get(key, 0))
            for key, label in SERIES_LABELS.items()
        ]

    def rows(self, names: tuple[str, ...]) -> list[tuple[dt.date, list[int]]]:
        return [
            (week, [self.series.get(n, {}).get(week, 0) for n in names])
            for week in self.weeks
        ]


# A day's activity is stored once it is this many days old: by then its
# messages have left the outbox and their reviews are mostly done. The days
# since are counted live on every view.
SETTLE_DAYS = 7


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


MESSAGE_GROUPS = {
    "sent": Q(status=Message.Status.SENT),
    "deferred": Q(status=Message.Status.DEFERRED),
    "held": Q(status=Message.Status.HELD),
    "blocked": Q(status__in=_BLOCKED),
}


def daily_counts(
    organisation: Any, start: dt.date, end: dt.date
) -> dict[dt.date, dict[str, int]]:
    """day -> series -> count, counted live from ``start`` to ``end``
    inclusive, in the organisation's days (5 queries)."""
    found: dict[dt.date, dict[str, int]] = {}
    tz = org_zone(organisation)

    def add(day: dt.date, name: str, n: int) -> None:
        if n:
            counts = found.setdefault(day, {})
            counts[name] = counts.get(name, 0) + n

    messages = Message.objects.filter(
        organisation=organisation, direction=Message.Direction.OUTBOUND
    )
    _by_day(messages, "created_at", MESSAGE_GROUPS, start, end, add, tz)
    # "Changed" in its own query: as a condition of the count above it was a
    # subquery run for every message (on PostgreSQL, inside the aggregate);
    # here the database joins the few recipients a rule added (their index).
    added = Recipient.objects.filter(message=OuterRef("pk")).exclude(added_by_rule="")
    _by_day(
        messages.filter(Exists(added)),
        "created_at",
        {"changed": Q()},
        start,
        end,
        add,
        tz,
    )
    alerts = {
        series: Q(kind__in=[k for k, s in ALERT_SERIES_OF.items() if s == series])
        for series in dict.fromkeys(ALERT_SERIES_OF.values())
    }
    _by_day(
        Alert.objects.filter(organisation=organisation),
        "created_at",
        alerts,
        start,
        end,
        add,
        tz,
    )
    cases = Case.objects.filter(organisation=organisation)
    _by_day(cases, "created_at", {"opened": Q()}, start, end, add, tz)
    _by_day(cases, "closed_at", {"closed": Q()}, start, end, add, tz)
    return found


# Up to this many days are told apart by comparing with each day's end, not
# with a date function per row (on SQLite, a call into Python per row).
BOUNDED_DAYS = 14


def _by_day(
    queryset: Any,
    when: str,
    series: dict[str, Q],
    start: dt.date,
    end: dt.date,
    add: Any,
    tz: Any,
) -> None:
    """Count ``series`` per day of ``when`` from ``start`` to ``end``, days
    in ``tz`` (1 query)."""
    lo, hi = Period(start, end).bounds(tz)
    rows = queryset.filter(**{f"{when}__gte": lo, f"{when}__lt": hi})
    days = days_between(start, end)
    if len(days) > BOUNDED_DAYS:
        day: Any = TruncDate(when, tzinfo=tz)
    else:
        # Which day, by comparing with the days' starts: no function per row.
        day = _day_of(when, days, tz)
    grouped = (
        rows.annotate(day=day)
        .values("day")
        .annotate(**{name: Count("pk", filter=q) for name, q in series.items()})
        .order_by()
    )
    for row in grouped:
        for name in series:
            add(_day(row["day"]), name, row[name])


def _day_of(when: str, days: list[dt.date], tz: Any) -> Any:
    """Which of ``days`` the row's ``when`` falls on, for a row known to fall
    on one of them: halving the days at each comparison, so a row costs three
    comparisons for a week, whichever day it is on."""
    if len(days) == 1:
        return Value(days[0], output_field=DateField())
    middle = len(days) // 2
    start = Period(days[middle], days[middle]).bounds(tz)[0]
    return models.Case(
        When(**{f"{when}__lt": start}, then=_day_of(when, days[:middle], tz)),
        default=_day_of(when, days[middle:], tz),
        output_field=DateField(),
    )


def _hours(pairs: Any) -> float | None:
    found = [(later - earlier).total_seconds() / 3600 for earlier, later in pairs]
    return round(median(found), 1) if found else None


def _response_times(activity: Activity, organisation: Any, periods: Any) -> None:
    """Median hours from report to triage and days from report to referral."""
    for index, (start, end) in enumerate(periods):
        triage = Case.objects.filter(
            organisation=organisation,
            created_at__gte=start,
            created_at__lt=end,
            triaged_at__isnull=False,
        ).values_list("created_at", "triaged_at")
        referred = Referral.objects.filter(
            case__organisation=organisation,
            case__created_at__gte=start,
            case__created_at__lt=end,
        ).values_list("case__created_at", "made_on")
        days = [(made - created.date()).days for created, made in referred.iterator()]
        hours = _hours(triage.iterator())
        mid = round(median(days), 1) if days else None
        if index == 0:
            activity.triage_hours, activity.referral_days = hours, mid
        else:
            activity.previous_triage_hours, activity.previous_referral_days = hours, mid


def activity(organisation: Any, period: Period) -> Activity:
    """Daily counts folded into weeks over ``period``, with totals for it and
    the one before: the stored days (``DailyActivity``, 1 query) and the rest
    counted live (5 queries), then the response times (4 queries)."""
    first = period.previous().start
    stored = dict(
        DailyActivity.objects.filter(
            organisation=organisation, day__gte=first, day__lte=period.end
        ).values_list("day", "counts")
    )
    days = days_between(first, period.end)
    missing = [d for d in days if d not in stored]
    live = daily_counts(organisation, missing[0], period.end) if missing else {}
    found = Activity(period=period, weeks=period.weeks())
    found.totals = dict.fromkeys(SERIES_LABELS, 0)
    found.previous = dict.fromkeys(SERIES_LABELS, 0)
    for day in days:
        counts = stored[day] if day in stored else live.get(day, {})
        if day < period.start:
            for name, n in counts.items():
                found.previous[name] += n
            continue
        monday = day - dt.timedelta(days=day.weekday())
        for name, n in counts.items():
            found.totals[name] += n
            series = found.series.setdefault(name, {})
            series[monday] = series.get(monday, 0) + n
    tz = org_zone(organisation)
    _response_times(
        found, organisation, (period.bounds(tz), period.previous().bounds(tz))
    )
    return found


# --- The trustees' report --------------------------------------------------------


@dataclass(frozen=True)
class Report:
    period: Period
    compliance: Compliance
    categories: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    agencies: list[tuple[str, int]]
    training: list[tuple[str, int]]
    policies_published: int
    policies_reviewed: int
    activity: Activity


def _labelled(rows: Any, choices: Any, blank: str) -> list[tuple[str, int]]:
    labels = dict(choices.choices)
    counted = dict(rows)
    return [
        (labels.get(key, blank) if key else blank, counted[key])
        for key in sorted(counted, key=lambda k: (k == "", str(k)))
    ]


def report(
    organisation: Any,
    period: Period,
    day: dt.date,
    figures: Compliance | None = None,
    trend: Activity | None = None,
) -> Report:
    """The annual figures for trustees: counts only (about 20 queries).
    ``trend``: the period's activity, when the caller has it."""
    tz = org_zone(organisation)
    start, end = period.bounds(tz)
    cases = Case.objects.filter(
        organisation=organisation, created_at__gte=start, created_at__lt=end
    )
    count = Count("pk")
    versions = PolicyVersion.objects.filter(
        policy__organisation=organisation, published_at__gte=start, published_at__lt=end
    )
    return Report(
        period=period,
        compliance=figures or compliance(organisation, day),
        categories=_labelled(
            cases.values_list("category").annotate(n=count).order_by(),
            Case.Category,
            "Not yet categorised",
        ),
        outcomes=_labelled(
            cases.values_list("outcome").annotate(n=count).order_by(),
            Case.Outcome,
            "Still open",
        ),
        agencies=_labelled(
            Referral.objects.filter(
                case__organisation=organisation,
                made_on__gte=period.start,
                made_on__lte=period.end,
            )
            .values_list("agency")
            .annotate(n=count)
            .order_by(),
            Referral.Agency,
            "Other",
        ),
        training=_labelled(
            Training.objects.filter(
                person__organisation=organisation,
                completed_on__gte=period.start,
                completed_on__lte=period.end,
            )
            .values_list("level")
            .annotate(n=count)
            .order_by(),
            Training.Level,
            "Other",
        ),
        policies_published=versions.filter(number=1).count(),
        policies_reviewed=versions.filter(number__gt=1).count(),
        activity=trend or activity(organisation, period),
    )
