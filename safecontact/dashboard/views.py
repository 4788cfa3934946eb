"""The Lead's dashboard, the trustees' report, trustees' grants and umbrella pages.

Who sees what:
- Lead and deputy: everything here for their organisation.
- Trustees: the compliance figures and the report; never activity drill-downs
  into the register unless granted (see ``safecontact.lib.grants``).
- An umbrella's team (oversight roles of the umbrella organisation): each
  member's counts and weekly trends, never a member's people, messages or cases.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safecontact.accounts.models import Organisation, User
from safecontact.accounts.views import home as worker_home
from safecontact.dashboard import charts, forms, selectors, services
from safecontact.dashboard.models import (
    ComplianceSnapshot,
    TrusteeGrant,
    UmbrellaMembership,
    UmbrellaTemplate,
    UmbrellaThreshold,
)
from safecontact.lib.access import (
    lead_required,
    member_required,
    oversight_required,
    request_organisation,
    request_user,
)
from safecontact.lib.dates import org_today
from safecontact.lib.grants import granted_areas
from safecontact.lib.pages import paginate
from safecontact.notifications.selectors import queue_counts

GET_OR_POST = require_http_methods(["GET", "POST"])
MESSAGE_SERIES = ("sent", "changed", "deferred", "held", "blocked")
ALERT_SERIES = ("content", "early_warning")
CASE_SERIES = ("opened", "closed")
SHORT = {
    "sent": "Sent",
    "changed": "Changed",
    "deferred": "Deferred",
    "held": "Held",
    "blocked": "Blocked",
    "content": "Alerts",
    "early_warning": "Early warnings",
    "opened": "Opened",
    "closed": "Closed",
}


@require_GET
@member_required
def home(request: HttpRequest) -> HttpResponse:
    """Leads, deputies and trustees land on the dashboard; workers on their work."""
    if request_user(request).is_oversight:
        return redirect("dashboard:dashboard")
    return worker_home(request)


def _links() -> dict[str, str]:
    """The list behind each figure, for the Lead."""
    held, alerts = reverse("contact:held"), reverse("contact:alerts")
    return {
        "sent": reverse("contact:overview"),
        "changed": reverse("contact:overview"),
        "deferred": reverse("contact:outbox"),
        "held": held,
        "blocked": reverse("contact:overview"),
        "content": alerts,
        "early_warning": alerts,
        "opened": reverse("concerns:list"),
        "closed": reverse("concerns:list"),
    }


def _charts(
    activity: selectors.Activity, links: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    links = links or {}
    found = []
    for title, names in (
        ("Messages by week", MESSAGE_SERIES),
        ("Alerts and early warnings by week", ALERT_SERIES),
        ("Concerns opened and closed by week", CASE_SERIES),
    ):
        rows = activity.rows(names)
        found.append(
            {
                "title": title,
                "svg": charts.bar_chart(
                    title,
                    [SHORT[n] for n in names],
                    activity.weeks,
                    [r for _, r in rows],
                ),
                "headings": [selectors.SERIES_LABELS[n] for n in names],
                "rows": rows,
                "totals": [
                    (
                        selectors.SERIES_LABELS[n],
                        activity.totals.get(n, 0),
                        activity.previous.get(n, 0),
                        links.get(n, ""),
                    )
                    for n in names
                ],
            }
        )
    return found


@require_GET
@oversight_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    user = request_user(request)
    today = org_today(organisation)
    form, period = forms.period_from(request.GET, today, 12 * 7)
    figures, worked_out = services.todays_figures(organisation)
    context: dict[str, Any] = {
        "compliance": figures,
        "worked_out": worked_out,
        "form": form,
        "period": period,
        "previous": period.previous(),
        "today": today,
        "areas": granted_areas(user),
        "umbrella": _active_link(organisation),
        # Only the groups with a problem, a page at a time: a large
        # organisation's thousand groups were one long table.
        "problem_groups": paginate(request, figures.groups_with_problems),
        "query": _without_page(request),
    }
    if user.is_lead:
        activity = services.activity(organisation, period)
        context.update(activity=activity, charts=_charts(activity, _links()))
        # The attention list's count comes with the day's figures: counting a
        # large register on every visit costs more than the page may.
        context["queues"] = queue_counts(user, figures.attention)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "dashboard/dashboard.html", context, status=status)


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@oversight_required
def report(request: HttpRequest, *, printable: bool = False) -> HttpResponse:
    organisation = request_organisation(request)
    today = org_today(organisation)
    form, period = forms.period_from(request.GET, today, 365)
    figures, worked_out = services.todays_figures(organisation)
    context = {
        "form": form,
        "worked_out": worked_out,
        "report": selectors.report(
            organisation,
            period,
            today,
            figures,
            trend=services.activity(organisation, period),
        ),
        "organisation": organisation,
        "today": today,
        "query": request.GET.urlencode(),
    }
    template = "dashboard/report_print.html" if printable else "dashboard/report.html"
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, template, context, status=status)


@require_GET
@oversight_required
def report_print(request: HttpRequest) -> HttpResponse:
    return report(request, printable=True)


@require_POST
@lead_required
def refresh(request: HttpRequest) -> HttpResponse:
    """Work today's compliance figures out again after the Lead put things right."""
    services.take_snapshot(request_organisation(request))
    messages.success(request, "The compliance figures are up to date.")
    return redirect("dashboard:dashboard")


# --- Trustees' grants ------------------------------------------------------------


@GET_OR_POST
@lead_required
def grants(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    trustees = list(
        User.objects.filter(organisation=organisation, role=User.Role.TRUSTEE).order_by(
            "last_name", "first_name", "username"
        )
    )
    if request.method == "POST":
        return _change_grant(request, trustees)
    active = TrusteeGrant.objects.filter(organisation=organisation, revoked_at=None)
    held = {(g.trustee_id, g.area) for g in active}
    rows = [
        (
            t,
            [
                (area, label, (t.pk, area) in held)
                for area, label in TrusteeGrant.Area.choices
            ],
        )
        for t in trustees
    ]
    return render(request, "dashboard/grants.html", {"rows": rows})


def _change_grant(request: HttpRequest, trustees: list[User]) -> HttpResponse:
    by_code = {str(t.code): t for t in trustees}
    trustee = by_code.get(request.POST.get("trustee", ""))
    area = request.POST.get("area", "")
    if trustee is None or area not in TrusteeGrant.Area.values:
        messages.error(request, "Choose a trustee and an area from the list.")
        return redirect("dashboard:grants")
    label = TrusteeGrant.Area(area).label.split(":")[0].lower()
    if request.POST.get("action") == "revoke":
        for grant in TrusteeGrant.objects.filter(
            trustee=trustee, area=area, revoked_at=None
        ):
            services.revoke_access(actor=request_user(request), grant=grant)
        messages.success(request, f"{trustee} can no longer see {label}.")
    else:
        services.grant_access(actor=request_user(request), trustee=trustee, area=area)
        messages.success(request, f"{trustee} can now see {label}.")
    return redirect("dashboard:grants")


# --- Umbrella bodies -------------------------------------------------------------


def _active_link(organisation: Organisation) -> UmbrellaMembership | None:
    return (
        UmbrellaMembership.objects.filter(
            member=organisation, accepted_at__isnull=False, ended_at=None
        )
        .select_related("umbrella")
        .first()
    )


def _members(umbrella: Organisation) -> Any:
    return UmbrellaMembership.objects.filter(
        umbrella=umbrella, accepted_at__isnull=False, ended_at=None
    ).select_related("member")


def _latest_snapshots(org_ids: list[int]) -> dict[int, ComplianceSnapshot]:
    """The newest snapshot of each organisation (1 query, however many days
    of snapshots each has)."""
    newest = (
        ComplianceSnapshot.objects.filter(organisation_id=OuterRef("organisation_id"))
        .order_by("-day")
        .values("pk")[:1]
    )
    rows = ComplianceSnapshot.objects.filter(
        organisation_id__in=org_ids, pk=Subquery(newest)
    )
    return {
        row.organisation_id: row
        for row in rows.only("organisation_id", "day", "figures")
    }


UMBRELLA_PAGE = 50


@require_GET
@oversight_required
def umbrella(request: HttpRequest) -> HttpResponse:
    """The umbrella's overview: each member's latest figures, a page at a time."""
    organisation = request_organisation(request)
    page = paginate(
        request, _members(organisation).order_by("member__name", "pk"), UMBRELLA_PAGE
    )
    snapshots = _latest_snapshots([link.member_id for link in page])
    thresholds = {
        t.figure: t.minimum
        for t in UmbrellaThreshold.objects.filter(umbrella=organisation)
    }
    rows = [(link, snapshots.get(link.member_id)) for link in page]
    pending = UmbrellaMembership.objects.filter(
        umbrella=organisation, accepted_at=None, ended_at=None
    ).select_related("member")
    return render(
        request,
        "dashboard/umbrella.html",
        {
            "rows": rows,
            "page": page,
            "pending": pending,
            "thresholds": thresholds,
            "figures": UmbrellaThreshold.Figure.choices,
            "invite_form": forms.InviteForm(),
            "threshold_form": forms.ThresholdForm(),
            "templates": UmbrellaTemplate.objects.filter(umbrella=organisation),
        },
    )


def _member_link(request: HttpRequest, code: uuid.UUID) -> UmbrellaMembership:
    """An active member of this user's umbrella, else 404."""
    try:
        return _members(request_organisation(request)).get(code=code)
    except UmbrellaMembership.DoesNotExist:
        raise Http404 from None


@require_GET
@oversight_required
def member(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """One member's figures and weekly trends: counts only."""
    link = _member_link(request, code)
    today = org_today(link.member)
    form, period = forms.period_from(request.GET, today, 12 * 7)
    activity = services.activity(link.member, period)
    snapshots = list(
        ComplianceSnapshot.objects.filter(organisation=link.member).order_by("-day")[
            :12
        ]
    )
    return render(
        request,
        "dashboard/member.html",
        {
            "link": link,
            "form": form,
            "period": period,
            "snapshot": snapshots[0] if snapshots else None,
            "history": snapshots,
            "activity": activity,
            "charts": _charts(activity),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_POST
@lead_required
def invite(request: HttpRequest) -> HttpResponse:
    form = forms.InviteForm(request.POST)
    target = None
    if form.is_valid():
        target = Organisation.objects.filter(
            code=form.cleaned_data["organisation"]
        ).first()
    if target is None:
        messages.error(
            request, "No organisation has that reference. Check it and try again."
        )
        return redirect("dashboard:umbrella")
    try:
        services.invite_member(actor=request_user(request), member=target)
    except services.UmbrellaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation sent. {target}'s Lead must accept it.")
    return redirect("dashboard:umbrella")


@require_POST
@lead_required
def threshold(request: HttpRequest) -> HttpResponse:
    form = forms.ThresholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a figure and a percentage from 0 to 100.")
    else:
        services.set_threshold(actor=request_user(request), **form.cleaned_data)
        messages.success(
            request, "Threshold saved. We email your team when a member falls below it."
        )
    return redirect("dashboard:umbrella")


@GET_OR_POST
@lead_required
def template_new(request: HttpRequest) -> HttpResponse:
    form = forms.TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.publish_template(actor=request_user(request), **form.cleaned_data)
        messages.success(request, "Published to your members.")
        return redirect("dashboard:umbrella")
    status = 400 if form.errors else 200
    return render(request, "dashboard/template_new.html", {"form": form}, status=status)


@require_GET
@lead_required
def membership(request: HttpRequest) -> HttpResponse:
    """The member side: invitations, the umbrella we belong to, its templates."""
    organisation = request_organisation(request)
    links = UmbrellaMembership.objects.filter(
        member=organisation, ended_at=None
    ).select_related("umbrella")
    active = next((link for link in links if link.is_active), None)
    templates = (
        UmbrellaTemplate.objects.filter(umbrella_id=active.umbrella_id)
        if active
        else []
    )
    return render(
        request,
        "dashboard/membership.html",
        {
            "organisation": organisation,
            "active": active,
            "invitations": [link for link in links if not link.is_active],
            "templates": templates,
        },
    )


@require_POST
@lead_required
def membership_change(
    request: HttpRequest, code: uuid.UUID, action: str
) -> HttpResponse:
    organisation = request_organisation(request)
    link = UmbrellaMembership.objects.filter(
        member=organisation, code=code, ended_at=None
    ).first()
    if link is None:
        raise Http404
    try:
        if action == "accept":
            services.accept_invitation(actor=request_user(request), link=link)
            messages.success(request, f"You are now a member of {link.umbrella}.")
        else:
            services.end_membership(actor=request_user(request), link=link)
            messages.success(request, f"You are no longer linked to {link.umbrella}.")
    except (services.UmbrellaError, PermissionDenied) as error:
        messages.error(request, str(error))
    return redirect("dashboard:membership")
