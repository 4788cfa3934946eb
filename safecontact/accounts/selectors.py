"""Reads for the first-run page and the operators' page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse

from safecontact.accounts.models import Invitation, Organisation
from safecontact.audittrail.models import AuditEntry
from safecontact.groups.models import Platform
from safecontact.people.models import WorkerProfile


@dataclass(frozen=True)
class Step:
    title: str
    hint: str
    url: str
    done: bool


def first_run_steps(org: Organisation) -> list[Step]:
    """The six steps of getting started, each done when the records say so."""
    changed = AuditEntry.objects.filter(organisation=org, actor__isnull=False)
    return [
        Step(
            "Check your settings",
            "Who is copied in, agreed hours, renewal periods.",
            reverse("accounts:settings"),
            # A settings save snapshots every field ("name" among them); an
            # operator's suspension is not the Lead checking settings.
            changed.filter(
                model="accounts.organisation",
                action="update",
                actor__organisation=org,
                after__has_key="name",
            ).exists(),
        ),
        Step(
            "Review your purposes of contact",
            "The reasons your organisation contacts people.",
            reverse("groups:purposes"),
            changed.filter(model="groups.purpose").exists(),
        ),
        Step(
            "Approve the platforms you use",
            "Email, group chats and social media you run groups on.",
            reverse("groups:platforms"),
            Platform.objects.filter(organisation=org, approved=True).exists(),
        ),
        Step(
            "Add your workers and volunteers",
            "Their DBS checks and training go on their register entry.",
            reverse("people:add"),
            WorkerProfile.objects.filter(person__organisation=org).exists(),
        ),
        Step(
            "Invite people to log in",
            "From their register entry: “Invite to log in”.",
            reverse("people:list"),
            # By someone in the organisation: not the operator's first invitation.
            Invitation.objects.filter(
                organisation=org, invited_by__organisation=org
            ).exists(),
        ),
        Step(
            "Share the link for reporting a concern",
            "Put it in your newsletter, on a poster and on your website, then "
            "mark it as shared.",
            reverse("concerns:report_link"),
            org.report_link_shared_at is not None,
        ),
    ]


def organisations_overview() -> QuerySet[Organisation]:
    """Every organisation with its count of active users and last sign-in."""
    return Organisation.objects.annotate(
        active_users=Count("users", filter=Q(users__is_active=True)),
        last_activity=Max("users__last_login"),
    ).order_by("name")
