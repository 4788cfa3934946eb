"""The case file: only the Lead, deputy (or named trustee) and people shared with.

Every page that shows a case records the view in the audit trail; the
printable summary and screenshots are recorded as exports.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safecontact.accounts.models import User
from safecontact.accounts.services import mark_report_link_shared
from safecontact.audittrail.selectors import recent_case_history
from safecontact.concerns import forms, services
from safecontact.concerns.crypto import decrypt_bytes
from safecontact.concerns.evidence import resolve
from safecontact.concerns.models import Action, Attachment, Case, CaseShare, Tombstone
from safecontact.concerns.selectors import (
    can_manage,
    can_view,
    named_trustee,
    visible_cases,
)
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    member_required,
    request_organisation,
    request_user,
)
from safecontact.lib.pages import paginate

SESSION_REFERENCE = "concern_reference"


def _bound(request: HttpRequest) -> tuple[Any, Any]:
    """Form data and files on POST (even if empty, so errors show); None on GET."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _case_for(request: HttpRequest, code: Any, *, manage: bool = False) -> Case:
    """The case if this user may read it (404 otherwise); 403 if they may not change it."""
    user = request_user(request)
    queryset = Case.objects.select_related("organisation", "about_user")
    case = get_for_org(queryset, user.organisation, code=code)
    if not can_view(user, case):
        raise Http404
    if manage and not can_manage(user, case):
        raise PermissionDenied
    return case


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


@member_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request_user(request)).select_related("about_user")
    status = request.GET.get("status", "")
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    page = paginate(request, cases, 25)
    context = {"page": page, "status": status, "statuses": Case.Status.choices}
    return render(request, "concerns/list.html", context)


@member_required
def report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    initial = _evidence_initial(request)
    form = forms.StaffReportForm(*_bound(request), actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.report_concern(
                actor=user,
                organisation=user.organisation,  # type: ignore[arg-type]
                report=form.to_report(user),
                source=Case.Source.IN_APP,
                form=Case.Form.STAFF,
                about_user=form.cleaned_data.get("about_user"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            request.session[SESSION_REFERENCE] = case.reference
            return redirect("concerns:reported")
    return render(request, "concerns/report.html", {"form": form, **initial})


def _evidence_initial(request: HttpRequest) -> dict[str, str]:
    for kind, param in (("alert", "alert"), ("ledger_entry", "entry")):
        if request.GET.get(param):
            return {"evidence_kind": kind, "evidence_ref": request.GET[param]}
    return {}


@member_required
def reported(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop(SESSION_REFERENCE, "")
    return render(request, "concerns/reported.html", {"reference": reference})


def _detail_context(request: HttpRequest, case: Case, **bound: Any) -> dict[str, Any]:
    user = request_user(request)
    context: dict[str, Any] = {
        "case": case,
        "manage": can_manage(user, case),
        "chronology": case.chronology.select_related("author"),
        "actions": case.actions.select_related("owner"),
        "decisions": case.decisions.select_related("decided_by"),
        "referrals": case.referrals.select_related("made_by"),
        "evidence": [
            (e, resolve(e.kind, e.ref, case.organisation)) for e in case.evidence.all()
        ],
        "attachments": case.attachments.defer("data"),
        "shares": case.shares.select_related("user"),
        "triage_form": forms.TriageForm(
            case=case,
            initial={
                "category": case.category,
                "risk": case.risk,
                "about": case.about,
                "about_user": case.about_user_id,
            },
        ),
        "entry_form": forms.ChronologyForm(),
        "action_form": forms.ActionForm(case=case),
        "decision_form": forms.DecisionForm(),
        "referral_form": forms.ReferralForm(),
        "share_form": forms.ShareForm(case=case),
        "evidence_form": forms.EvidenceForm(),
        "history": recent_case_history(case),
    }
    context.update(bound)
    return context


@member_required
def detail(request: HttpRequest, code: Any) -> HttpResponse:
    case = _case_for(request, code)
    services.record_case_access(actor=request_user(request), case=case)
    return render(request, "concerns/detail.html", _detail_context(request, case))


def _case_form_view(
    request: HttpRequest, code: Any, form_class: Any, key: str, write: Any
) -> HttpResponse:
    """POST one of the case page's forms; on error show the page with it."""
    case = _case_for(request, code, manage=True)
    needs_case = form_class in (forms.TriageForm, forms.ActionForm, forms.ShareForm)
    kwargs = {"case": case} if needs_case else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            message = write(request_user(request), case, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(case)
    context = _detail_context(request, case, **{key: form})
    context["failed"] = form  # named in one error summary at the top
    return render(request, "concerns/detail.html", context, status=422)


@require_POST
@member_required
def triage(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        services.triage_case(actor=actor, case=case, **data)
        return "Triage saved."

    return _case_form_view(request, code, forms.TriageForm, "triage_form", write)


@require_POST
@member_required
def add_entry(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        services.add_chronology_entry(actor=actor, case=case, **data)
        return "Added to the chronology."

    return _case_form_view(request, code, forms.ChronologyForm, "entry_form", write)


@require_POST
@member_required
def add_action(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        services.add_action(actor=actor, case=case, **data)
        return "Action added."

    return _case_form_view(request, code, forms.ActionForm, "action_form", write)


@require_POST
@member_required
def complete_action(request: HttpRequest, code: Any, action_code: Any) -> HttpResponse:
    case = _case_for(request, code, manage=True)
    action = _action(case, action_code)
    services.complete_action(actor=request_user(request), action=action)
    messages.success(request, "Action marked as done.")
    return redirect(case)


def _action(case: Case, action_code: Any) -> Action:
    action = case.actions.filter(code=action_code).first()
    if action is None:
        raise Http404
    return action


@require_POST
@member_required
def add_decision(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        services.record_decision(actor=actor, case=case, **data)
        return "Decision recorded."

    return _case_form_view(request, code, forms.DecisionForm, "decision_form", write)


@require_POST
@member_required
def add_referral(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        services.record_referral(actor=actor, case=case, **data)
        return "Referral recorded."

    return _case_form_view(request, code, forms.ReferralForm, "referral_form", write)


@require_POST
@member_required
def add_evidence(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        ref = str(data["ref"])
        services.link_evidence(actor=actor, case=case, kind=data["kind"], ref=ref)
        return "Evidence linked."

    return _case_form_view(request, code, forms.EvidenceForm, "evidence_form", write)


@require_POST
@member_required
def share(request: HttpRequest, code: Any) -> HttpResponse:
    def write(actor: User, case: Case, data: dict[str, Any]) -> str:
        services.share_case(actor=actor, case=case, user=data["user"])
        return f"Shared with {data['user']}."

    return _case_form_view(request, code, forms.ShareForm, "share_form", write)


@require_POST
@member_required
def unshare(request: HttpRequest, code: Any, share_code: Any) -> HttpResponse:
    case = _case_for(request, code, manage=True)
    item = CaseShare.objects.filter(case=case, code=share_code).first()
    if item is None:
        raise Http404
    services.unshare_case(actor=request_user(request), share=item)
    messages.success(request, "Sharing removed.")
    return redirect(case)


@member_required
def close(request: HttpRequest, code: Any) -> HttpResponse:
    case = _case_for(request, code, manage=True)
    form = forms.CloseForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.close_case(
                actor=request_user(request), case=case, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Case {case.reference} closed.")
            return redirect(case)
    return render(request, "concerns/close.html", {"case": case, "form": form})


@lead_required
def delete(request: HttpRequest, code: Any) -> HttpResponse:
    case = _case_for(request, code, manage=True)
    form = forms.DeleteForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        services.delete_case(
            actor=request_user(request), case=case, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"Case {case.reference} deleted. A record remains.")
        return redirect("concerns:deleted")
    return render(request, "concerns/delete.html", {"case": case, "form": form})


@member_required
def summary(request: HttpRequest, code: Any) -> HttpResponse:
    case = _case_for(request, code)
    services.record_case_access(actor=request_user(request), case=case, action="export")
    context = _detail_context(request, case)
    return render(request, "concerns/summary.html", context)


@member_required
def attachment(request: HttpRequest, code: Any, attachment_code: Any) -> HttpResponse:
    case = _case_for(request, code)
    item = Attachment.objects.filter(case=case, code=attachment_code).first()
    if item is None:
        raise Http404
    services.record_case_access(actor=request_user(request), case=case, action="export")
    response = HttpResponse(decrypt_bytes(item.data), content_type=item.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="{case.reference}-{str(item.code)[:8]}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@lead_required
def deleted(request: HttpRequest) -> HttpResponse:
    tombstones = Tombstone.objects.filter(
        organisation=request_user(request).organisation
    )
    page = paginate(request, tombstones, 50)
    return render(request, "concerns/deleted.html", {"page": page})


@lead_required
def routing(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    org = user.organisation
    if org is None:  # lead_required already refuses this; keeps the types honest
        raise PermissionDenied
    current = named_trustee(org)
    form = forms.RoutingForm(
        *_bound(request)[:1], organisation=org, initial={"named_trustee": current}
    )
    if request.method == "POST" and form.is_valid():
        services.set_named_trustee(
            actor=user,
            organisation=org,
            trustee=form.cleaned_data["named_trustee"],
        )
        messages.success(request, "Saved.")
        return redirect("concerns:routing")
    return render(request, "concerns/routing.html", {"form": form, "trustee": current})


def _report_url(request: HttpRequest) -> str:
    org = request_user(request).organisation
    return request.build_absolute_uri(
        reverse("report:start", args=[org.report_token])  # type: ignore[union-attr]
    )


@lead_required
def report_link(request: HttpRequest) -> HttpResponse:
    """The public link, its QR code and words to share it with; the Lead
    marks it shared (a step of getting started) by posting here."""
    org = request_organisation(request)
    if request.method == "POST":
        mark_report_link_shared(actor=request_user(request), organisation=org)
        messages.success(request, "Marked as shared. Thank you.")
        return redirect("concerns:report_link")
    url = _report_url(request)
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    context = {"url": url, "qr_svg": buffer.getvalue().decode(), "org": org}
    return render(request, "concerns/report_link.html", context)


@lead_required
def report_qr_png(request: HttpRequest) -> HttpResponse:
    buffer = BytesIO()
    qrcode.make(_report_url(request), box_size=12, border=4).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="report-a-concern-qr.png"'
    return response
