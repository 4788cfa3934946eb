from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from safecontact.audits.selectors import Shown, shown
from safecontact.contact import selectors, services
from safecontact.contact.forms import AlertForm, ComposeForm, ReviewForm
from safecontact.contact.models import Alert, Delivery, InboxItem, Message
from safecontact.contact.picker import picker
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    member_required,
    request_organisation,
    request_user,
    role_required,
)
from safecontact.lib.pages import paginate

sender_required = role_required(*selectors.SENDERS)


def highlight(text: str, findings: list[dict[str, Any]]) -> SafeString:
    """``text`` with each finding's evidence in <mark>, everything escaped."""
    parts: list[tuple[str, ...]] = []
    at = 0
    for f in sorted(findings, key=lambda f: f["start"]):
        if f["start"] < at:
            continue
        parts.append(("{}", text[at : f["start"]]))
        parts.append(
            ('<mark title="{}">{}</mark>', f["indicator"], text[f["start"] : f["end"]])
        )
        at = f["end"]
    parts.append(("{}", text[at:]))
    return format_html_join("", "{}", ((format_html(t, *a),) for t, *a in parts))


@sender_required
def compose(request: HttpRequest) -> HttpResponse:
    """Write, check (see the decision and every reason), then send."""
    user = request_user(request)
    posted = request.method == "POST"
    # Searching or turning the picker's pages keeps the form, unchecked.
    moving = posted and (
        request.POST.get("action") == "search" or "page" in request.POST
    )
    if moving:
        form = ComposeForm(initial=_kept(request.POST), user=user)
    else:
        form = ComposeForm(request.POST or None, user=user)
    preview = None
    if posted and not moving and form.is_valid():
        data, sending = form.cleaned_data, request.POST.get("action") == "send"
        try:
            message = services.send_message(
                actor=user,
                recipients=list(data["recipients"]),
                group=data["group"],
                channel=data["channel"],
                purpose=data["purpose"],
                subject=data["subject"],
                body=data["body"],
                urgent_reason=data["urgent_reason"],
                preview=not sending,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if sending:
                flash.success(request, f"{message.get_status_display()}.")
                return redirect(message)
            preview = message
    groups = form.fields["group"].queryset.prefetch_related("purposes")  # type: ignore[attr-defined]
    people = form.fields["recipients"].queryset  # type: ignore[attr-defined]
    found = picker(people, request.POST if posted else request.GET)
    ctx = {"form": form, "preview": preview, "groups": groups, "picker": found}
    return render(request, "contact/compose.html", ctx)


def _kept(data: QueryDict) -> dict[str, str]:
    names = ("group", "channel", "purpose", "subject", "body", "urgent_reason")
    return {name: str(data.get(name, "")) for name in names if name in data}


@sender_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    items = InboxItem.objects.filter(user=request_user(request)).select_related(
        "message__sender"
    )
    return render(request, "contact/inbox.html", {"page": paginate(request, items)})


@sender_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    found = Message.objects.filter(author=request_user(request)).prefetch_related(
        "deliveries", "recipient_rows__person"
    )
    return render(request, "contact/sent.html", {"page": paginate(request, found)})


@sender_required
@require_GET
def detail(request: HttpRequest, code: Any) -> HttpResponse:
    message = selectors.message_for(request_user(request), code)
    InboxItem.objects.filter(
        user=request_user(request), message=message, read_at=None
    ).update(read_at=timezone.now())
    ctx = {
        "message": message,
        "body": highlight(message.body, _body_findings(message)),
        "recipients": message.recipient_rows.select_related("person"),
        "deliveries": message.deliveries.all(),
        "review_form": ReviewForm(),
        "log_entry": selectors.log_entry_for(message),
    }
    return render(request, "contact/detail.html", ctx)


def _body_findings(message: Message) -> list[dict[str, Any]]:
    return [f for f in message.decision.get("findings", []) if f["field"] == "body"]


@lead_required
@require_POST
def review(request: HttpRequest, code: Any, action: str) -> HttpResponse:
    message = get_for_org(
        Message.objects.all(), request_organisation(request), code=code
    )
    form = ReviewForm(request.POST)
    form.is_valid()
    act = services.release_message if action == "release" else services.reject_message
    try:
        done = act(
            actor=request_user(request),
            message=message,
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        if done.status == Message.Status.STOPPED:
            flash.error(request, done.stopped_reason)
            return redirect(done)
        flash.success(
            request, f"Message {'released' if action == 'release' else 'rejected'}."
        )
    return redirect("contact:held")


@lead_required
@require_GET
def held(request: HttpRequest) -> HttpResponse:
    found = selectors.held_messages(request_organisation(request))
    page = paginate(request, found)
    rows = [(m, highlight(m.body, _body_findings(m))) for m in page]
    stopped = selectors.stopped_messages(request_organisation(request))
    ctx = {"page": page, "rows": rows, "stopped": stopped}
    return render(request, "contact/held.html", ctx)


@lead_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Alert.Status.OPEN)
    status = status if status in Alert.Status.values else ""
    found = selectors.alerts(request_organisation(request), status)
    page = paginate(request, found)
    ctx = {
        "page": page,
        "rows": [_alert_row(alert) for alert in page],
        "status": status,
        "statuses": Alert.Status.choices,
    }
    return render(request, "contact/alerts.html", ctx)


def _body_only(alert: Alert) -> list[dict[str, Any]]:
    return [f for f in alert.findings if f.get("field", "body") == "body"]


def _alert_row(alert: Alert) -> tuple[Alert, Any, Shown | None]:
    """The alert, its message's body with the findings marked, or the audit
    finding it came from with the chat's lines."""
    if alert.audit_finding is not None:
        return alert, "", shown(alert.audit_finding)
    assert alert.message is not None  # noqa: S101 (a database constraint)
    return alert, highlight(alert.message.body, _body_only(alert)), None


@lead_required
def alert_detail(request: HttpRequest, code: Any) -> HttpResponse:
    alert = get_for_org(
        selectors.alerts(request_organisation(request)),
        request_organisation(request),
        code=code,
    )
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.handle_alert(
            actor=request_user(request), alert=alert, **form.cleaned_data
        )
        flash.success(request, f"Alert marked {alert.get_status_display().lower()}.")
        return redirect("contact:alerts")
    _, body, finding = _alert_row(alert)
    return render(
        request,
        "contact/alert_detail.html",
        {"alert": alert, "body": body, "finding": finding, "form": form},
    )


@lead_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    found = selectors.outbox(request_organisation(request))
    return render(request, "contact/outbox.html", {"page": paginate(request, found)})


@lead_required
@require_POST
def retry(request: HttpRequest, code: Any) -> HttpResponse:
    delivery = get_for_org(
        Delivery.objects.all(), request_organisation(request), code=code
    )
    services.retry_delivery(actor=request_user(request), delivery=delivery)
    flash.success(request, "The email will be tried again in the next round.")
    return redirect("contact:outbox")


@lead_required
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    found = selectors.quarantine(request_organisation(request))
    return render(
        request, "contact/quarantine.html", {"page": paginate(request, found)}
    )


@member_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The gateway's front page. Trustees see counts only (no messages, no
    names); workers see links to their own messages."""
    org = request_organisation(request)
    if not request_user(request).is_oversight:
        return render(request, "contact/overview.html", {})
    ctx = {
        "counts": selectors.status_counts(org),
        "statuses": Message.Status.choices,
        "open_alerts": selectors.alerts(org, Alert.Status.OPEN).count(),
        "waiting": selectors.outbox(org).count(),
    }
    return render(request, "contact/overview.html", ctx)
