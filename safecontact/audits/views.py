"""The Lead's pages for group audits: upload, progress and report, act on findings."""

from __future__ import annotations

import uuid
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from safecontact.audits import services
from safecontact.audits.forms import UploadForm
from safecontact.audits.models import AuditFinding, GroupAudit
from safecontact.audits.selectors import audits_for, shown_findings
from safecontact.audits.uploads import (
    ExportUploadHandler,
    SealedUpload,
    too_big_message,
)
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    request_organisation,
    request_user,
)

REFRESH_SECONDS = 2


def _audit(request: HttpRequest, code: uuid.UUID) -> GroupAudit:
    user = request_user(request)
    return get_for_org(
        GroupAudit.objects.select_related("group__platform"),
        user.organisation,
        code=code,
    )


def _finding(request: HttpRequest, code: uuid.UUID) -> AuditFinding:
    user = request_user(request)
    found = AuditFinding.objects.select_related(
        "audit__group", "audit__organisation"
    ).filter(code=code, audit__organisation=user.organisation)
    return get_object_or_404(found)


@require_safe
@lead_required
def audit_list(request: HttpRequest) -> HttpResponse:
    audits = audits_for(request_user(request).organisation)
    return render(request, "audits/list.html", {"audits": audits})


@csrf_exempt  # the handler must be set before the body is read; checked below
@lead_required
def upload(request: HttpRequest) -> HttpResponse:
    handler = ExportUploadHandler(request)
    request.upload_handlers = [handler]
    return _upload(request, handler)


@csrf_protect
def _upload(request: HttpRequest, handler: ExportUploadHandler) -> HttpResponse:
    user = request_user(request)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method == "POST" and length > settings.AUDIT_UPLOAD_MAX_BYTES + 65536:
        return _too_big(request)
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = UploadForm(*data, organisation=user.organisation)
    if handler.too_big:
        return _too_big(request)
    if request.method == "POST" and form.is_valid():
        export = form.cleaned_data["export"]
        if not isinstance(export, SealedUpload):  # pragma: no cover
            raise TypeError("exports are encrypted as they stream to disk")
        try:
            audit = services.start_audit(
                actor=user,
                group=form.cleaned_data["group"],
                upload=export.sealed_path,
                file_name=export.name or "",
            )
        except services.AuditError as error:
            form.add_error("export", str(error))
        else:
            return redirect(audit)
        finally:
            export.close()  # deletes it, unless the audit took it
    days = request_organisation(request).audit_retention_days
    context = {"form": form, "retention_days": days}
    return render(request, "audits/upload.html", context)


def _too_big(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "413.html",
        {"message": too_big_message()},
        status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    )


@require_safe
@lead_required
def detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    audit = _audit(request, code)
    services.record_audit_view(actor=request_user(request), audit=audit)
    working = audit.status in (GroupAudit.Status.QUEUED, GroupAudit.Status.RUNNING)
    stalled = services.is_stalled(audit)
    # The Lead may stop the updates (WCAG 2.2.1: timing the user can turn off).
    updating = working and not stalled and "still" not in request.GET
    context = {"audit": audit, "stalled": stalled, "updating": updating}
    if audit.status == GroupAudit.Status.DONE:
        context["sections"] = shown_findings(audit)
    response = render(request, "audits/detail.html", context)
    if updating:
        # The HTTP form of <meta http-equiv="refresh">: no JavaScript needed.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@require_POST
@lead_required
def restart(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    audit = _audit(request, code)
    try:
        services.restart_audit(actor=request_user(request), audit=audit)
    except services.AuditError as error:
        messages.error(request, str(error))
    return redirect(audit)


@require_POST
@lead_required
def attention(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    finding = _finding(request, code)
    user = request_user(request)
    if request.POST.get("remove"):
        services.dismiss_from_attention_list(actor=user, finding=finding)
        messages.success(request, "Taken off the attention list.")
    else:
        services.add_to_attention_list(actor=user, finding=finding)
        messages.success(request, "Added to the attention list.")
    return redirect(_on_report(finding))


def _on_report(finding: AuditFinding) -> str:
    return f"{finding.audit.get_absolute_url()}#finding-{finding.code}"


@require_POST
@lead_required
def alert(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    finding = _finding(request, code)
    try:
        raised = services.raise_alert(actor=request_user(request), finding=finding)
    except services.AuditError as error:
        messages.error(request, str(error))
        return redirect(_on_report(finding))
    messages.success(
        request, "Alert raised from the finding: it is on the alerts list."
    )
    return redirect(raised)


@require_POST
@lead_required
def concern(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    finding = _finding(request, code)
    try:
        case = services.raise_concern(actor=request_user(request), finding=finding)
    except services.AuditError as error:
        messages.error(request, str(error))
        return redirect(_on_report(finding))
    messages.success(request, f"Concern {case.reference} raised from the finding.")
    return redirect("concerns:detail", case.code)
