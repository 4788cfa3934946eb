"""Concerns over JSON: any member may report; only the case's recipients read it."""

# No `from __future__ import annotations`: ninja reads these annotations at
# runtime, and @paginate hides the module namespace they would resolve in.

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from safecontact.accounts.models import User
from safecontact.concerns import schemas, services
from safecontact.concerns.models import Case, ChronologyEntry, Referral
from safecontact.concerns.selectors import can_view, visible_cases
from safecontact.lib.access import api_user
from safecontact.lib.pages import PageNumberPagination

router = Router(tags=["concerns"])


def _case(request: HttpRequest, code: UUID) -> Case:
    user = api_user(request)
    case = (
        Case.objects.select_related("organisation", "about_user")
        .filter(organisation=user.organisation_id, code=code)
        .first()
    )
    if case is None or not can_view(user, case):
        raise Http404
    return case


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


def _chronology(entry: ChronologyEntry) -> dict[str, Any]:
    return {
        "code": entry.code,
        "kind": entry.kind,
        "occurred_at": entry.occurred_at,
        "text": entry.text,
        "author": _name(entry.author),
    }


def _referral(r: Referral) -> dict[str, Any]:
    return {
        "code": r.code,
        "agency": r.agency,
        "made_on": r.made_on,
        "made_by": _name(r.made_by),
        "reference_number": r.reference_number,
        "outcome": r.outcome,
    }


def _case_out(case: Case) -> dict[str, Any]:
    fields = schemas.CaseSummaryOut.model_fields.keys() | {
        "source", "form", "narrative", "about", "about_description", "anonymous",
        "reporter_name", "reporter_contact", "outcome",
    }  # fmt: skip
    data = {name: getattr(case, name) for name in fields}
    data["chronology"] = [
        _chronology(e) for e in case.chronology.select_related("author")
    ]
    data["referrals"] = [_referral(r) for r in case.referrals.select_related("made_by")]
    data["decisions"] = [
        {
            "code": d.code,
            "decision": d.decision,
            "rationale": d.rationale,
            "decided_at": d.decided_at,
            "decided_by": _name(d.decided_by),
        }
        for d in case.decisions.select_related("decided_by")
    ]
    data["actions"] = [
        {
            "code": a.code,
            "description": a.description,
            "owner": _name(a.owner),
            "due_on": a.due_on,
            "done_at": a.done_at,
        }
        for a in case.actions.select_related("owner")
    ]
    data["evidence"] = [{"kind": e.kind, "code": e.ref} for e in case.evidence.all()]
    data["attachments"] = case.attachments.count()
    return data


@router.post("/", response={201: schemas.ConcernOut})
def report_concern(request: HttpRequest, payload: schemas.ConcernIn) -> Any:
    """Report a concern as the logged-in user (or API key's user)."""
    user = api_user(request)
    about_user = None
    if payload.about_user is not None:
        about_user = User.objects.filter(
            organisation=user.organisation_id, code=payload.about_user
        ).first()
        if about_user is None:
            raise ValidationError(
                {"about_user": "Choose someone in your organisation."}
            )
    report = services.ConcernReport(
        narrative=payload.narrative,
        about=payload.about,
        about_description=payload.about_description,
        anonymous=False,
        reporter_name=str(user),
        reporter_contact=user.email,
        reporter_relation="worker",
        evidence=[(e.kind, str(e.code)) for e in payload.evidence],
    )
    case = services.report_concern(
        actor=user,
        organisation=user.organisation,  # type: ignore[arg-type]
        report=report,
        source=Case.Source.API,
        form=Case.Form.STAFF,
        about_user=about_user,
    )
    message = "Sent to the Safeguarding Lead. Quote this reference if you follow it up."
    return 201, {"reference": case.reference, "message": message}


@router.get("/cases", response=list[schemas.CaseSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def list_cases(request: HttpRequest, filters: Query[schemas.CaseFilterIn]) -> Any:
    user = api_user(request)
    if not user.is_oversight:
        raise PermissionDenied("Only the Safeguarding Lead and deputy can list cases.")
    cases = visible_cases(user)
    if filters.status:
        cases = cases.filter(status=filters.status)
    return cases


@router.get("/cases/{code}", response=schemas.CaseOut)
def get_case(request: HttpRequest, code: UUID) -> Any:
    case = _case(request, code)
    services.record_case_access(actor=api_user(request), case=case, action="export")
    return _case_out(case)


@router.post("/cases/{code}/chronology", response={201: schemas.ChronologyOut})
def add_chronology_entry(
    request: HttpRequest, code: UUID, payload: schemas.ChronologyIn
) -> Any:
    case = _case(request, code)
    entry = services.add_chronology_entry(
        actor=api_user(request),
        case=case,
        text=payload.text,
        occurred_at=payload.occurred_at,
    )
    return 201, _chronology(entry)


@router.post("/cases/{code}/referrals", response={201: schemas.ReferralOut})
def record_referral(
    request: HttpRequest, code: UUID, payload: schemas.ReferralIn
) -> Any:
    case = _case(request, code)
    referral = services.record_referral(
        actor=api_user(request), case=case, **payload.model_dump()
    )
    return 201, _referral(referral)
