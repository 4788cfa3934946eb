"""Policy pages: everyone reads what is in force; the Lead writes and publishes."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safecontact.lib.access import (
    get_for_org,
    lead_required,
    member_required,
    request_organisation,
    request_user,
)
from safecontact.lib.pages import paginate
from safecontact.people.forms import apply_errors
from safecontact.people.models import Person
from safecontact.people.selectors import person_for_user
from safecontact.policies import selectors, services
from safecontact.policies.forms import (
    BLANK,
    DraftForm,
    NewPolicyForm,
    PaperAcknowledgementForm,
    PolicySettingsForm,
)
from safecontact.policies.markdown import render as render_markdown
from safecontact.policies.models import Policy
from safecontact.policies.starters import BY_SLUG
from safeguarding.governance import review_state

GET_OR_POST = require_http_methods(["GET", "POST"])


def _policy(request: HttpRequest, code: uuid.UUID) -> Policy:
    return get_for_org(
        Policy.objects.select_related("owner"), request_organisation(request), code=code
    )


@require_GET
@member_required
def policy_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policies = list(selectors.policies_with_versions(request_organisation(request)))
    if not user.is_lead:
        policies = [
            p for p in policies if p.retired_at is None and selectors.in_force(p)
        ]
    person = person_for_user(user)
    due = {d.policy.pk for d in selectors.outstanding_for(person)} if person else set()
    today = timezone.localdate()
    rows = [
        (p, selectors.in_force(p), review_state(p.review_due, today), p.pk in due)
        for p in policies
    ]
    return render(request, "policies/list.html", {"rows": rows, "due_count": len(due)})


@GET_OR_POST
@lead_required
def policy_new(request: HttpRequest) -> HttpResponse:
    form = NewPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        slug = form.cleaned_data["starter"]
        starter = BY_SLUG.get(slug)
        try:
            policy = services.create_policy(
                actor=request_user(request),
                organisation=request_organisation(request),
                title=starter.title if starter else "New policy",
                area=starter.area if starter else Policy.Area.OTHER,
                audience=starter.audience if starter else Policy.Audience.EVERYONE,
                body=starter.body
                if starter
                else "# New policy\n\nWrite the policy here.",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Draft created. Edit it, then publish it.")
            return redirect("policies:edit", policy.code)
    return render(request, "policies/new.html", {"form": form, "blank": BLANK})


@require_GET
@member_required
def policy_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    user = request_user(request)
    version = selectors.current_version(policy)
    if version is None and not user.is_lead:
        raise Http404
    person = person_for_user(user)
    due = (
        [d for d in selectors.outstanding_for(person) if d.policy.pk == policy.pk]
        if person
        else []
    )
    context = {
        "policy": policy,
        "version": version,
        "html": render_markdown(version.body) if version else "",
        "due": due[0] if due else None,
        "review": review_state(policy.review_due, timezone.localdate()),
        "draft": policy.versions.filter(published_at=None).first()
        if user.is_lead
        else None,
        "history": policy.versions.exclude(published_at=None).select_related(
            "published_by"
        )
        if user.is_lead
        else [],
    }
    return render(request, "policies/detail.html", context)


@require_GET
@member_required
def policy_print(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    version = selectors.current_version(policy)
    if version is None:
        raise Http404
    return render(
        request,
        "policies/print.html",
        {"policy": policy, "version": version, "html": render_markdown(version.body)},
    )


@GET_OR_POST
@lead_required
def policy_edit(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    draft = policy.versions.filter(published_at=None).first()
    base = draft or selectors.current_version(policy)
    initial = {
        "body": base.body if base else "",
        "change_note": draft.change_note if draft else "",
    }
    form = DraftForm(request.POST or None, initial=initial)
    settings_form = PolicySettingsForm(
        request.POST or None,
        instance=policy,
        organisation=request_organisation(request),
    )
    if request.method == "POST" and form.is_valid() and settings_form.is_valid():
        actor = request_user(request)
        try:
            changes = {
                f: settings_form.cleaned_data[f] for f in settings_form.changed_data
            }
            if changes:
                services.update_policy(
                    actor=actor, policy=_policy(request, code), **changes
                )
            services.save_draft(
                actor=actor,
                policy=policy,
                body=form.cleaned_data["body"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Draft saved. Publish it when it is ready.")
            return redirect("policies:detail", policy.code)
    return render(
        request,
        "policies/edit.html",
        {
            "policy": policy,
            "form": form,
            "settings_form": settings_form,
            "draft": draft,
        },
    )


@GET_OR_POST
@lead_required
def policy_publish(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    draft = policy.versions.filter(published_at=None).first()
    if draft is None:
        messages.error(request, "There is no draft to publish: edit the policy first.")
        return redirect("policies:detail", policy.code)
    error = None
    if request.method == "POST":
        try:
            services.publish_draft(actor=request_user(request), policy=policy)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"Version {draft.number} is now in force. Everyone it applies to "
                "is asked to read and acknowledge it.",
            )
            return redirect("policies:detail", policy.code)
    return render(
        request,
        "policies/publish.html",
        {
            "policy": policy,
            "draft": draft,
            "html": render_markdown(draft.body),
            "error": error,
        },
    )


@require_POST
@lead_required
def policy_reviewed(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    try:
        services.mark_reviewed(actor=request_user(request), policy=policy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Review recorded. Next review: {policy.review_due:%d %B %Y}."
        )
    return redirect("policies:detail", policy.code)


@require_POST
@lead_required
def policy_retire(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    retire = policy.retired_at is None
    services.set_retired(actor=request_user(request), policy=policy, retired=retire)
    messages.success(request, "Policy retired." if retire else "Policy restored.")
    return redirect("policies:detail", policy.code)


@require_POST
@member_required
def policy_acknowledge(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    version = selectors.current_version(policy)
    if version is None or str(version.code) != request.POST.get("version"):
        messages.error(
            request,
            "The policy has changed since you opened it: read the current version.",
        )
        return redirect("policies:detail", policy.code)
    try:
        services.acknowledge(actor=request_user(request), version=version)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Thank you. You have acknowledged {policy.title}.")
    return redirect("policies:detail", policy.code)


@GET_OR_POST
@lead_required
def acknowledgements(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    policy = _policy(request, code)
    version = selectors.current_version(policy)
    if version is None:
        messages.error(
            request, "Publish the policy first: nobody is asked to read a draft."
        )
        return redirect("policies:detail", policy.code)
    rows = selectors.acknowledgement_rows(policy, version, timezone.localdate())
    missing = [p for p, ack in rows if ack is None]
    form = PaperAcknowledgementForm(request.POST or None, people=missing)
    if request.method == "POST" and form.is_valid():
        person = get_for_org(
            Person.objects.all(),
            request_organisation(request),
            code=form.cleaned_data["person"],
        )
        try:
            services.record_paper_acknowledgement(
                actor=request_user(request),
                version=version,
                person=person,
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Recorded {person}'s signed copy.")
            return redirect("policies:acknowledgements", policy.code)
    done = len(rows) - len(missing)
    return render(
        request,
        "policies/acknowledgements.html",
        {
            "policy": policy,
            "version": version,
            "page": paginate(request, rows),
            "done": done,
            "total": len(rows),
            "form": form,
        },
    )
