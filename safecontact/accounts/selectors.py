"""Reads for the first-run page and the operators' page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse

from safecontact.accounts.models import Invitation, Organisation
from safecontact.audittrail.models import AuditEntry
from safecontact.concerns.models import Case
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
            changed.filter(model="accounts.organisation", action="update").exists(),
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
            "Done when the first concern has been reported.",
            reverse("concerns:report_link"),
            Case.objects.filter(organisation=org).exists(),
        ),
    ]


def organisations_overview() -> QuerySet[Organisation]:
    """Every organisation with its count of active users and last sign-in."""
    return Organisation.objects.annotate(
        active_users=Count("users", filter=Q(users__is_active=True)),
        last_activity=Max("users__last_login"),
    ).order_by("name")
