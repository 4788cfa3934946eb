"""Every write of the dashboard app: grants, snapshots, umbrella membership,
thresholds and templates. Each checks the actor's role and writes the audit
trail in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.services import save_and_record, snapshot
from safecontact.dashboard import selectors
from safecontact.dashboard.models import (
    ComplianceSnapshot,
    DailyActivity,
    ThresholdNotice,
    TrusteeGrant,
    UmbrellaMembership,
    UmbrellaTemplate,
    UmbrellaThreshold,
)
from safecontact.lib.dates import org_today

LEADS = (User.Role.LEAD, User.Role.DEPUTY)
TEAM = (User.Role.LEAD, User.Role.DEPUTY, User.Role.TRUSTEE)


class UmbrellaError(Exception):
    """A membership change that cannot be made, with a reason to show."""


def _require_lead(actor: User, organisation: Organisation) -> None:
    if actor.organisation_id != organisation.pk or actor.role not in LEADS:
        raise PermissionDenied("Only the Safeguarding Lead or deputy can do this.")


def _own(actor: User) -> Organisation:
    """The actor's organisation, which they must lead."""
    if actor.organisation is None:
        raise PermissionDenied("Your account is not in an organisation.")
    _require_lead(actor, actor.organisation)
    return actor.organisation


# --- Trustees' grants ------------------------------------------------------------


@transaction.atomic(durable=True)
def grant_access(*, actor: User, trustee: User, area: str) -> TrusteeGrant:
    """Let one trustee see one area (the register, contact log or audit trail)."""
    organisation = _own(actor)
    if trustee.organisation_id != organisation.pk or trustee.role != User.Role.TRUSTEE:
        raise PermissionDenied(
            "Access can only be granted to this organisation's trustees."
        )
    if area not in TrusteeGrant.Area.values:
        raise ValueError(f"Unknown area {area!r}")
    found = TrusteeGrant.objects.filter(trustee=trustee, area=area, revoked_at=None)
    if (existing := found.first()) is not None:
        return existing
    grant = TrusteeGrant.objects.create(
        organisation=organisation, trustee=trustee, area=area, granted_by=actor
    )
    save_and_record(
        actor=actor, organisation=organisation, obj=grant, before=None, action="grant"
    )
    return grant


@transaction.atomic(durable=True)
def revoke_access(*, actor: User, grant: TrusteeGrant) -> TrusteeGrant:
    _require_lead(actor, grant.organisation)
    if grant.revoked_at is not None:
        return grant
    before = snapshot(grant)
    grant.revoked_at = timezone.now()
    save_and_record(
        actor=actor,
        organisation=grant.organisation,
        obj=grant,
        before=before,
        action="revoke",
        update_fields=["revoked_at"],
    )
    return grant


# --- Umbrella membership ---------------------------------------------------------


@transaction.atomic(durable=True)
def invite_member(*, actor: User, member: Organisation) -> UmbrellaMembership:
    """The umbrella's Lead invites an organisation; its Lead must accept."""
    umbrella = _own(actor)
    if member.pk == umbrella.pk:
        raise UmbrellaError("An organisation cannot be its own umbrella.")
    if UmbrellaMembership.objects.filter(
        umbrella=umbrella, member=member, ended_at=None
    ).exists():
        raise UmbrellaError(f"{member} is already invited or a member.")
    link = UmbrellaMembership.objects.create(
        umbrella=umbrella, member=member, invited_by=actor
    )
    save_and_record(
        actor=actor, organisation=umbrella, obj=link, before=None, action="invite"
    )
    return link


@transaction.atomic(durable=True)
def accept_invitation(*, actor: User, link: UmbrellaMembership) -> UmbrellaMembership:
    _require_lead(actor, link.member)
    if link.accepted_at is not None or link.ended_at is not None:
        raise UmbrellaError("This invitation is no longer open.")
    if UmbrellaMembership.objects.filter(
        member=link.member, accepted_at__isnull=False, ended_at=None
    ).exists():
        raise UmbrellaError("Leave your current umbrella body before joining another.")
    before = snapshot(link)
    link.accepted_at, link.accepted_by = timezone.now(), actor
    save_and_record(
        actor=actor,
        organisation=link.member,
        obj=link,
        before=before,
        action="accept",
        update_fields=["accepted_at", "accepted_by"],
    )
    return link


@transaction.atomic(durable=True)
def end_membership(*, actor: User, link: UmbrellaMembership) -> UmbrellaMembership:
    """Decline an invitation or leave (member Lead), or withdraw it (umbrella Lead)."""
    side = link.member if actor.organisation_id == link.member_id else link.umbrella
    _require_lead(actor, side)
    if link.ended_at is not None:
        return link
    before = snapshot(link)
    link.ended_at = timezone.now()
    save_and_record(
        actor=actor,
        organisation=side,
        obj=link,
        before=before,
        action="leave" if link.accepted_at else "decline",
        update_fields=["ended_at"],
    )
    return link


@transaction.atomic(durable=True)
def set_threshold(*, actor: User, figure: str, minimum: int) -> UmbrellaThreshold:
    umbrella = _own(actor)
    if not 0 <= minimum <= 100:
        raise UmbrellaError("A threshold is a percentage from 0 to 100.")
    found = UmbrellaThreshold.objects.filter(umbrella=umbrella, figure=figure).first()
    before = snapshot(found) if found else None
    threshold = found or UmbrellaThreshold(umbrella=umbrella, figure=figure)
    threshold.minimum = minimum
    save_and_record(actor=actor, organisation=umbrella, obj=threshold, before=before)
    return threshold


@transaction.atomic(durable=True)
def publish_template(
    *, actor: User, kind: str, title: str, body: str, area: str = ""
) -> UmbrellaTemplate:
    umbrella = _own(actor)
    template = UmbrellaTemplate.objects.create(
        umbrella=umbrella,
        kind=kind,
        title=title,
        body=body,
        area=area,
        published_by=actor,
    )
    save_and_record(
        actor=actor, organisation=umbrella, obj=template, before=None, action="publish"
    )
    return template


# --- Snapshots and thresholds ---------------------------------------------------


def take_snapshot(
    organisation: Organisation, day: dt.date | None = None
) -> ComplianceSnapshot:
    """Store today's compliance counts, then tell the umbrella if one fell low."""
    day = day or org_today(organisation)
    figures = selectors.compliance(organisation, day).counts()
    # Past days' activity too, so the day's first dashboard counts little.
    settled = day - dt.timedelta(days=selectors.SETTLE_DAYS)
    store_activity(organisation, settled - dt.timedelta(days=2 * 366), settled)
    with transaction.atomic():
        found, _ = ComplianceSnapshot.objects.update_or_create(
            organisation=organisation,
            day=day,
            defaults={"figures": figures, "created_at": timezone.now()},
        )
        transaction.on_commit(lambda: notify_thresholds(found.pk))
    return found


def activity(
    organisation: Organisation, period: selectors.Period
) -> selectors.Activity:
    """The activity over ``period``, first storing its settled days that are
    not stored yet, so later views count only the last few days."""
    settled = org_today(organisation) - dt.timedelta(days=selectors.SETTLE_DAYS)
    store_activity(organisation, period.previous().start, min(settled, period.end))
    return selectors.activity(organisation, period)


def store_activity(organisation: Organisation, start: dt.date, end: dt.date) -> int:
    """Store each day from ``start`` to ``end`` not stored yet (2 queries, 7
    when some are missing); returns how many were stored. Only for settled
    days: a stored day is never counted again."""
    if start > end:
        return 0
    have = set(
        DailyActivity.objects.filter(
            organisation=organisation, day__gte=start, day__lte=end
        ).values_list("day", flat=True)
    )
    missing = [d for d in selectors.days_between(start, end) if d not in have]
    if not missing:
        return 0
    counts = selectors.daily_counts(organisation, missing[0], missing[-1])
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(organisation=organisation, day=d, counts=counts.get(d, {}))
            for d in missing
        ],
        ignore_conflicts=True,  # another request stored the same day
    )
    return len(missing)


def todays_figures(organisation: Organisation) -> tuple[selectors.Compliance, Any]:
    """Today's compliance from its snapshot, worked out now if there is none.

    Counting clearance and consent over a large register takes seconds, so the
    nightly ``take_snapshots`` does it ahead and pages read the stored counts.
    """
    day = org_today(organisation)
    found = ComplianceSnapshot.objects.filter(
        organisation=organisation, day=day
    ).first()
    if found is None:
        found = take_snapshot(organisation, day)
    return selectors.from_counts(found.figures), found.created_at


def notify_thresholds(snapshot_id: int) -> list[ThresholdNotice]:
    """Email the umbrella's team about each figure under its threshold, once a day."""
    found = ComplianceSnapshot.objects.select_related("organisation").get(
        pk=snapshot_id
    )
    link = UmbrellaMembership.objects.filter(
        member=found.organisation, accepted_at__isnull=False, ended_at=None
    ).first()
    if link is None:
        return []
    notices = []
    percents = found.figures.get("percents", {})
    for threshold in UmbrellaThreshold.objects.filter(umbrella_id=link.umbrella_id):
        value = percents.get(threshold.figure)
        if value is None or value >= threshold.minimum:
            continue
        notice = _notice_once(link, threshold, found.day, value)
        if notice is not None:
            notices.append(notice)
    return notices


def _notice_once(
    link: UmbrellaMembership, threshold: UmbrellaThreshold, day: dt.date, value: int
) -> ThresholdNotice | None:
    try:
        with transaction.atomic():
            notice = ThresholdNotice.objects.create(
                umbrella_id=link.umbrella_id,
                member_id=link.member_id,
                figure=threshold.figure,
                day=day,
                value=value,
            )
    except IntegrityError:
        return None  # already told today
    team = User.objects.filter(
        organisation_id=link.umbrella_id, role__in=TEAM, is_active=True
    ).exclude(email="")
    recipients = list(team.values_list("email", flat=True))
    if recipients:
        url = settings.SITE_URL + reverse("dashboard:member", args=[link.code])
        send_mail(
            f"{link.member}: {threshold.get_figure_display().lower()} at {value}%",
            f"{link.member} is at {value}% for “{threshold.get_figure_display()}”, "
            f"below the {threshold.minimum}% you set.\n\nSee its figures: {url}\n",
            None,
            recipients,
        )
    return notice
