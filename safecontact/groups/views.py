"""Group and platform pages.

Leads and deputies manage groups; trustees read them; a worker sees only the
groups they belong to (names and kinds of members, no contact points).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safecontact.groups import services
from safecontact.groups.forms import GroupForm, MemberForm, PurposeForm
from safecontact.groups.models import Group, GroupMember, Platform, Purpose
from safecontact.groups.selectors import current_members, visible_groups
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    member_required,
    request_organisation,
    request_user,
)
from safecontact.lib.forms import apply_errors
from safecontact.lib.pages import paginate

GET_OR_POST = require_http_methods(["GET", "POST"])


def _group(request: HttpRequest, code: Any) -> Group:
    """The group with ``code`` if this user may see it, else 404."""
    return get_for_org(
        visible_groups(request_user(request)).select_related(
            "platform", "organisation"
        ),
        request_organisation(request),
        code=code,
    )


@require_GET
@member_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = (
        visible_groups(request_user(request))
        .filter(archived_at=None)
        .select_related("platform")
        .annotate(size=Count("members", filter=Q(members__removed_at=None)))
        .order_by("name")
    )
    return render(request, "groups/list.html", {"page": paginate(request, groups)})


@require_GET
@member_required
def group_detail(request: HttpRequest, code: Any) -> HttpResponse:
    group = _group(request, code)
    members = current_members(group)
    past = group.members.exclude(removed_at=None).select_related("person")
    return render(
        request,
        "groups/detail.html",
        {
            "group": group,
            "members": members,
            "past": past if request_user(request).is_oversight else [],
        },
    )


def _group_form(
    request: HttpRequest, form: GroupForm, group: Group | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            if group is None:
                group = services.create_group(
                    actor=request_user(request),
                    organisation=request_organisation(request),
                    **form.service_args(),
                )
            else:
                services.update_group(
                    actor=request_user(request), group=group, **form.service_args()
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Group saved.")
            return redirect(group)
    title = f"Change {group}" if group else "Add a group"
    back = group.get_absolute_url() if group else "/groups/"
    context = {"form": form, "title": title, "back": back}
    return render(
        request, "groups/form.html", context, status=400 if form.errors else 200
    )


@GET_OR_POST
@lead_required
def group_add(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    return _group_form(
        request, GroupForm(request.POST or None, organisation=organisation), None
    )


@GET_OR_POST
@lead_required
def group_edit(request: HttpRequest, code: Any) -> HttpResponse:
    group = _group(request, code)
    form = GroupForm(
        request.POST or None,
        instance=Group.objects.get(pk=group.pk),
        organisation=group.organisation_id,
    )
    return _group_form(request, form, group)


@GET_OR_POST
@lead_required
def member_add(request: HttpRequest, code: Any) -> HttpResponse:
    group = _group(request, code)
    form = MemberForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(
                actor=request_user(request), group=group, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{member.person} added to {group}.")
            return redirect(group)
    context = {
        "form": form,
        "title": f"Add someone to {group}",
        "back": group.get_absolute_url(),
    }
    return render(
        request, "groups/form.html", context, status=400 if form.errors else 200
    )


@require_POST
@lead_required
def member_remove(request: HttpRequest, code: Any) -> HttpResponse:
    member = _member(request, code)
    try:
        services.remove_member(actor=request_user(request), member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{member.person} removed from {member.group}.")
    return redirect(member.group)


def _member(request: HttpRequest, code: Any) -> GroupMember:
    """A membership in this organisation's groups, else 404."""
    try:
        return GroupMember.objects.select_related("group", "person").get(
            code=code,
            group__organisation=request_organisation(request),
        )
    except GroupMember.DoesNotExist:
        raise Http404 from None


@require_GET
@member_required
def platform_list(request: HttpRequest) -> HttpResponse:
    platforms = Platform.objects.filter(organisation=request_organisation(request))
    return render(
        request, "groups/platforms.html", {"page": paginate(request, platforms, 50)}
    )


@require_POST
@lead_required
def platform_approval(request: HttpRequest, code: Any) -> HttpResponse:
    platform = get_for_org(
        Platform.objects.all(), request_organisation(request), code=code
    )
    approve = request.POST.get("approved") == "yes"
    services.update_platform(
        actor=request_user(request), platform=platform, approved=approve
    )
    verb = "approved" if approve else "no longer approved"
    messages.success(request, f"{platform} is {verb}.")
    return redirect("groups:platforms")


@GET_OR_POST
@lead_required
def purpose_list(request: HttpRequest) -> HttpResponse:
    """The organisation's purposes: add one here, rename or retire each."""
    organisation = request_organisation(request)
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            purpose = services.add_purpose(
                actor=request_user(request),
                organisation=organisation,
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{purpose} added.")
            return redirect("groups:purposes")
    purposes = Purpose.objects.filter(organisation=organisation).annotate(
        used_by=Count("groups", filter=Q(groups__archived_at=None), distinct=True)
    )
    context = {"form": form, "purposes": purposes}
    return render(
        request, "groups/purposes.html", context, status=400 if form.errors else 200
    )


@GET_OR_POST
@lead_required
def purpose_rename(request: HttpRequest, code: Any) -> HttpResponse:
    purpose = get_for_org(
        Purpose.objects.all(), request_organisation(request), code=code
    )
    form = PurposeForm(request.POST or None, initial={"name": purpose.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_purpose(
                actor=request_user(request),
                purpose=purpose,
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Renamed to {purpose}.")
            return redirect("groups:purposes")
    context = {"form": form, "title": f"Rename {purpose}", "back": "/groups/purposes/"}
    return render(
        request, "groups/form.html", context, status=400 if form.errors else 200
    )


@require_POST
@lead_required
def purpose_retire(request: HttpRequest, code: Any) -> HttpResponse:
    purpose = get_for_org(
        Purpose.objects.all(), request_organisation(request), code=code
    )
    retire = request.POST.get("retired") != "no"
    try:
        services.retire_purpose(
            actor=request_user(request), purpose=purpose, retired=retire
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        verb = "retired" if retire else "back in use"
        messages.success(request, f"{purpose} is {verb}.")
    return redirect("groups:purposes")
